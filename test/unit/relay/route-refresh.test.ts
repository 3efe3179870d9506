import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { memory } from '@libp2p/memory'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId, PrivateKey, Stream } from '@libp2p/interface'
import { defaultConfig } from '../../../src/config/index.js'
import { createSigner, createVerifier, FrameKind, openEnvelope, sealFrame, SequenceCounter } from '../../../src/envelope/index.js'
import { createMeshNode, type MeshNode } from '../../../src/node/index.js'
import { A2A_PROTOCOL, messageStream, RelaySender, RelayTransportError } from '../../../src/relay/index.js'
import type { OutgoingTask } from '../../../src/relay/index.js'

/**
 * A sender whose peer store holds only a dead address for the receiver (a
 * NATed host's direct address, learnt before its relayed one had spread)
 * while the DHT knows a working one: the send must look the receiver up once
 * after the dial fails and go through; with nothing better in the DHT it must
 * fail with an error that says so.
 */
describe('RelaySender: a stale peer-store route', () => {
  const nodes: MeshNode[] = []
  const senders: RelaySender[] = []
  afterEach(async () => {
    for (const s of senders.splice(0)) s.close()
    await Promise.all(nodes.splice(0).map(async (n) => n.stop()))
  })

  async function start (name: string): Promise<{ node: MeshNode, key: PrivateKey }> {
    const config = defaultConfig()
    config.listen = [`/memory/route-refresh-${name}-${process.pid}`]
    config.mdns = false
    config.bootstrap = []
    config.nat = { ...config.nat, reserve: false, dcutr: false, autonat: false, upnp: false }
    const key = await generateKeyPair('Ed25519')
    // No background self-queries after the first: only the send under test may look peers up.
    const node = await createMeshNode({ config, privateKey: key, transports: [memory()], dht: { querySelfInterval: 600_000 } })
    nodes.push(node)
    await node.start()
    return { node, key }
  }

  /** Answers every envelope with one signed RESULT frame. */
  async function echo (node: MeshNode, key: PrivateKey): Promise<void> {
    const signer = createSigner(key)
    const verifier = createVerifier()
    await node.handle(A2A_PROTOCOL, async (stream: Stream, connection) => {
      const lp = messageStream(stream)
      const envelope = openEnvelope(await lp.read({ signal: AbortSignal.timeout(5_000) }), { remotePeer: connection.remotePeer.toString(), verifier })
      await lp.write(sealFrame({ envelopeId: envelope.id, index: 0, kind: FrameKind.RESULT, payload: envelope.payload, timestampMs: Date.now() }, signer))
      await stream.close()
    })
  }

  function sender (node: MeshNode, key: PrivateKey): RelaySender {
    let next = 1
    const sequences = new SequenceCounter({ store: { reserve: (_peer, count) => { const first = next; next += count; return first } } })
    const s = new RelaySender({ node, signer: createSigner(key), verifier: createVerifier(), sequences, now: Date.now })
    senders.push(s)
    return s
  }

  function task (to: PeerId, text: string): OutgoingTask {
    return {
      id: crypto.getRandomValues(new Uint8Array(16)),
      toPeer: to.toString(),
      toAgent: 'echo',
      fromAgent: 'caller',
      method: 'message/send',
      payload: new TextEncoder().encode(text),
      deadlineMs: Date.now() + 30_000
    }
  }

  async function until (what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
    const end = Date.now() + ms
    while (!await ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  const tableHas = (node: MeshNode, peer: PeerId): Promise<boolean> =>
    (node.services.dht as unknown as { routingTable: { find: (p: PeerId) => Promise<unknown> } }).routingTable.find(peer).then((p) => p != null)

  /** A (the sender) and C (a DHT peer) connected, each in the other's routing table; A's first self-query done. */
  async function senderAndDht (): Promise<{ a: MeshNode, aKey: PrivateKey, c: MeshNode }> {
    const { node: a, key: aKey } = await start('a')
    const { node: c } = await start('c')
    await a.dial(c.getMultiaddrs()[0]!)
    await until('A and C in each other\'s routing table', async () => await tableHas(a, c.peerId) && await tableHas(c, a.peerId))
    // Let A's first self-query (it found C) finish before B appears.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    return { a, aKey, c }
  }

  /** Gives A only a dead address for `peer`, as if learnt before the working one had spread. */
  async function deadRouteTo (a: MeshNode, peer: PeerId): Promise<string> {
    const dead = `/memory/route-refresh-dead-${process.pid}`
    for (const conn of a.getConnections(peer)) await conn.close()
    await a.peerStore.patch(peer, { multiaddrs: [multiaddr(dead)] })
    return dead
  }

  it('looks the receiver up in the DHT once its known address fails, and delivers', async () => {
    const { a, aKey, c } = await senderAndDht()
    const { node: b, key: bKey } = await start('b')
    await echo(b, bKey)
    await b.dial(c.getMultiaddrs()[0]!)
    await until('B in C\'s routing table', async () => tableHas(c, b.peerId))
    await deadRouteTo(a, b.peerId)
    expect(a.getConnections(b.peerId)).toHaveLength(0)
    expect((await a.peerStore.get(b.peerId)).addresses.map((x) => x.multiaddr.toString())).toEqual([`/memory/route-refresh-dead-${process.pid}`])

    const frames: string[] = []
    await sender(a, aKey).send(task(b.peerId, 'hello'), (f) => { frames.push(new TextDecoder().decode(f.payload)) }, AbortSignal.timeout(20_000))
    expect(frames).toEqual(['hello'])
    const known = (await a.peerStore.get(b.peerId)).addresses.map((x) => x.multiaddr.toString())
    expect(known).toContain(b.getMultiaddrs()[0]!.decapsulateCode(421).toString())
  }, 40_000)

  it('fails with a transport error naming the dial failure and the lookup when the DHT knows nothing better', async () => {
    const { a, aKey } = await senderAndDht()
    // A peer nobody in the mesh knows: the DHT has no record of it.
    const ghost = (await createMeshNode({ config: { ...defaultConfig(), listen: [], mdns: false, bootstrap: [] }, privateKey: await generateKeyPair('Ed25519'), transports: [memory()] })).peerId
    await deadRouteTo(a, ghost)
    const lookups: string[] = []
    const findPeer = a.peerRouting.findPeer.bind(a.peerRouting)
    a.peerRouting.findPeer = async (peer, options) => { lookups.push(peer.toString()); return findPeer(peer, options) }

    const s = sender(a, aKey)
    const err = await s.send(task(ghost, 'anyone?'), () => {}, AbortSignal.timeout(20_000)).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(RelayTransportError)
    expect((err as Error).message).toMatch(/route-refresh-dead/)
    expect((err as Error).message).toMatch(/DHT/)
    expect(lookups).toEqual([ghost.toString()])

    // A retry at once dials again but does not walk the DHT again.
    const again = await s.send(task(ghost, 'anyone?'), () => {}, AbortSignal.timeout(20_000)).then(() => undefined, (e: unknown) => e)
    expect(again).toBeInstanceOf(RelayTransportError)
    expect((again as Error).message).toMatch(/DHT was asked/)
    expect(lookups).toHaveLength(1)
  }, 40_000)

  it('gives up at once when the caller\'s signal aborts during the lookup', async () => {
    const { a, aKey } = await senderAndDht()
    const ghost = (await createMeshNode({ config: { ...defaultConfig(), listen: [], mdns: false, bootstrap: [] }, privateKey: await generateKeyPair('Ed25519'), transports: [memory()] })).peerId
    await deadRouteTo(a, ghost)
    a.peerRouting.findPeer = async (_peer, options) => await new Promise((_resolve, reject) => {
      options?.signal?.addEventListener('abort', () => { reject(new Error('lookup aborted')) }, { once: true })
    })
    const controller = new AbortController()
    const started = Date.now()
    setTimeout(() => { controller.abort(new Error('caller gave up')) }, 300)
    const err = await sender(a, aKey).send(task(ghost, 'anyone?'), () => {}, controller.signal).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect(Date.now() - started).toBeLessThan(3_000)
  }, 40_000)
})
