import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { memory } from '@libp2p/memory'
import type { PeerId } from '@libp2p/interface'
import { defaultConfig } from '../../../src/config/index.js'
import { createMeshNode, type MeshNode } from '../../../src/node/index.js'
import { SELF_QUERY_EVENT } from '../../../src/node/constants.js'
import { FollowUpSelfQuery, type FollowUpSelfQueryInit } from '../../../src/node/follow-up-self-query.js'

const HOUR = 3_600_000

async function inTable (node: MeshNode, peer: PeerId): Promise<boolean> {
  const table = (node.services.dht as unknown as { routingTable: { find: (p: PeerId) => Promise<PeerId | undefined> } }).routingTable
  return (await table.find(peer)) !== undefined
}

async function until (what: string, cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * A host whose first self-query ran before a nearer host joined is unknown to that host until
 * its next self-query (kad-dht: 5 minutes on). Real libp2p nodes over the memory transport: A and
 * B form the mesh, X joins through A and queries itself, then C joins through B only. Only X's DHT
 * ever queries on its own, so C can learn of X only from X's follow-up walk (which asks B, which
 * knows C).
 */
describe('follow-up self-query', () => {
  const nodes: MeshNode[] = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async (n) => n.stop())) })

  let seq = 0
  async function start (opts: { selfQuery: boolean, followUp: false | { delayMs: number } }): Promise<MeshNode> {
    const config = defaultConfig()
    config.listen = [`/memory/follow-up-${process.pid}-${seq++}`]
    config.mdns = false
    config.nat = { ...config.nat, reserve: false, dcutr: false, autonat: false, upnp: false }
    const node = await createMeshNode({
      config,
      privateKey: await generateKeyPair('Ed25519'),
      transports: [memory()],
      followUpSelfQuery: opts.followUp,
      dht: { initialQuerySelfInterval: opts.selfQuery ? 100 : HOUR, querySelfInterval: HOUR }
    })
    nodes.push(node)
    await node.start()
    return node
  }

  async function scenario (followUp: false | { delayMs: number }): Promise<{ x: MeshNode, c: MeshNode }> {
    const a = await start({ selfQuery: false, followUp: false })
    const b = await start({ selfQuery: false, followUp: false })
    await b.dial(a.getMultiaddrs()[0]!)
    const x = await start({ selfQuery: true, followUp })
    const firstSelfQuery = new Promise((resolve) => { (x as unknown as EventTarget).addEventListener(SELF_QUERY_EVENT, resolve, { once: true }) })
    await x.dial(a.getMultiaddrs()[0]!)
    await firstSelfQuery
    // C joins after X's first walk, through B only, and never walks itself.
    const c = await start({ selfQuery: false, followUp: false })
    await c.dial(b.getMultiaddrs()[0]!)
    await until('B to hold C in its routing table', async () => inTable(b, c.peerId), 10_000)
    expect(await inTable(c, x.peerId)).toBe(false)
    return { x, c }
  }

  it('with it, the host walks again and the peer that joined after its first walk learns it', async () => {
    const { x, c } = await scenario({ delayMs: 1_000 })
    await until('C to hold X in its routing table', async () => inTable(c, x.peerId), 15_000)
    expect(c.getConnections(x.peerId).length).toBeGreaterThan(0)
  }, 40_000)

  it('without it (kad-dht\'s own schedule), that peer does not learn the host', async () => {
    const { x, c } = await scenario(false)
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    expect(await inTable(c, x.peerId)).toBe(false)
  }, 40_000)
})

describe('FollowUpSelfQuery schedule', () => {
  /** A node whose DHT records its walks (the schedule only; the walk itself is real above). */
  function fakeNode (): { node: FollowUpSelfQueryInit['node'], events: EventTarget, walks: number[] } {
    const events = new EventTarget()
    const walks: number[] = []
    const node = {
      peerId: { toMultihash: () => ({ bytes: new Uint8Array([1, 2, 3]) }) },
      services: {
        dht: {
          async * getClosestPeers () {
            walks.push(Date.now())
            yield { name: 'FINAL_PEER' }
            yield { name: 'FINAL_PEER' }
          }
        }
      },
      addEventListener: events.addEventListener.bind(events),
      removeEventListener: events.removeEventListener.bind(events)
    } as unknown as FollowUpSelfQueryInit['node']
    return { node, events, walks }
  }

  it('walks once, delayMs after the first self-query completes, and reports the closest peers found', async () => {
    const { node, events, walks } = fakeNode()
    const done: number[] = []
    const f = new FollowUpSelfQuery({ node, delayMs: 200, onDone: (n) => { done.push(n) } })
    f.start()
    const t0 = Date.now()
    events.dispatchEvent(new Event(SELF_QUERY_EVENT))
    // kad-dht's later self-queries dispatch the event again: no second follow-up.
    await new Promise((resolve) => setTimeout(resolve, 100))
    events.dispatchEvent(new Event(SELF_QUERY_EVENT))
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(walks).toHaveLength(1)
    expect(walks[0]! - t0).toBeGreaterThanOrEqual(190)
    expect(done).toEqual([2])
    f.stop()
  })

  it('never walks when stopped before its delay ends, or before any self-query', async () => {
    const { node, events, walks } = fakeNode()
    const f = new FollowUpSelfQuery({ node, delayMs: 200 })
    f.start()
    events.dispatchEvent(new Event(SELF_QUERY_EVENT))
    f.stop()
    const g = new FollowUpSelfQuery({ node, delayMs: 0 })
    g.start()
    g.stop()
    events.dispatchEvent(new Event(SELF_QUERY_EVENT))
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(walks).toHaveLength(0)
  })
})
