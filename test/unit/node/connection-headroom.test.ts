import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { memory } from '@libp2p/memory'
import { defaultConfig } from '../../../src/config/index.js'
import { createMeshNode, type MeshNode } from '../../../src/node/index.js'
import { ConnectionHeadroom, headroomFor } from '../../../src/node/connection-headroom.js'

/**
 * libp2p refuses every inbound connection while a node holds its `maxConnections`, and prunes back
 * only to that number after its own dials go past it: a host that keeps dialling stays full, and no
 * newcomer can reach it. Real libp2p nodes over the memory transport; the hub's limit is 10.
 */
describe('connection headroom', () => {
  const nodes: MeshNode[] = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async (n) => n.stop())) })

  let seq = 0
  async function start (max: number, headroom: boolean | { graceMs: number }): Promise<MeshNode> {
    const config = defaultConfig()
    config.listen = [`/memory/headroom-${process.pid}-${seq++}`]
    config.mdns = false
    config.nat = { ...config.nat, reserve: false, dcutr: false, autonat: false, upnp: false }
    config.connections = { ...config.connections, max }
    // The hub's DHT would dial on its own; only the test's dials should open connections.
    const node = await createMeshNode({ config, privateKey: await generateKeyPair('Ed25519'), transports: [memory()], connectionHeadroom: headroom, dht: { initialQuerySelfInterval: 3_600_000, querySelfInterval: 3_600_000 } })
    nodes.push(node)
    await node.start()
    return node
  }

  const settle = async (): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, 300)) }

  /** A hub (limit 10) that has dialled 12 peers, as a busy host's DHT walks do. */
  async function busyHub (headroom: boolean): Promise<MeshNode> {
    const hub = await start(10, false)
    if (headroom) new ConnectionHeadroom({ node: hub, max: 10, graceMs: 500 }).start()
    const peers = await Promise.all(Array.from({ length: 12 }, async () => start(100, false)))
    for (const p of peers) await hub.dial(p.getMultiaddrs()[0]!).catch(() => {})
    // Past the 500 ms grace: the headroom looks again when the youngest connection comes of age.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    return hub
  }

  it('without it, a host that dialled up to its limit refuses a newcomer (libp2p\'s behaviour)', async () => {
    const hub = await busyHub(false)
    expect(hub.getConnections().length).toBeGreaterThanOrEqual(10)
    const newcomer = await start(100, false)
    await expect(newcomer.dial(hub.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow()
  }, 30_000)

  it('with it, the host keeps 10 % free and the newcomer connects', async () => {
    expect(headroomFor(10)).toBe(1)
    expect(headroomFor(300)).toBe(30)
    const hub = await busyHub(true)
    expect(hub.getConnections().length).toBeLessThanOrEqual(9)
    const newcomer = await start(100, false)
    const conn = await newcomer.dial(hub.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(5_000) })
    expect(conn.status).toBe('open')
    // Within its grace the newcomer stays; after it, room is made again (oldest idle first).
    await settle()
    expect(hub.getConnections(newcomer.peerId).length).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(hub.getConnections().length).toBeLessThanOrEqual(9)
  }, 30_000)

  it('leaves connections younger than its grace alone', async () => {
    const hub = await start(10, false)
    const closed: number[] = []
    const guard = new ConnectionHeadroom({ node: hub, max: 10, onPrune: (c) => { closed.push(c.length) } })
    guard.start()
    const peers = await Promise.all(Array.from({ length: 10 }, async () => start(100, false)))
    for (const p of peers) await hub.dial(p.getMultiaddrs()[0]!).catch(() => {})
    await settle()
    // All are younger than the default 20 s grace: nothing closed by the headroom (libp2p keeps 10).
    expect(closed).toEqual([])
    expect(hub.getConnections().length).toBe(10)
  }, 30_000)

  it('is on in every mesh node createMeshNode makes, unless turned off', async () => {
    const hub = await start(10, { graceMs: 300 })
    const peers = await Promise.all(Array.from({ length: 11 }, async () => start(100, false)))
    for (const p of peers) await hub.dial(p.getMultiaddrs()[0]!).catch(() => {})
    await new Promise((resolve) => setTimeout(resolve, 800))
    expect(hub.getConnections().length).toBeLessThanOrEqual(9)
    const newcomer = await start(100, false)
    expect((await newcomer.dial(hub.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(5_000) })).status).toBe('open')
  }, 30_000)
})
