import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { memory } from '@libp2p/memory'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { defaultConfig } from '../../../src/config/index.js'
import { createMeshNode, type MeshNode } from '../../../src/node/index.js'

/**
 * Why a daemon sets kad-dht's `prefixLength` (config `dht.prefixLength`, default 8; kad-dht's own
 * is 6). kad-dht splits every bucket of its routing table, not only the one holding the node's
 * own ID, down to `prefixLength`; below that a bucket holds k (20) peers and refuses newcomers
 * while its contacts answer. The node's own bucket covers 2^-prefixLength of the key space, so in
 * a mesh of N hosts it is offered about N / 2^prefixLength peers: past k, the earliest keep their
 * places and the node's nearest neighbours — the peers a lookup for it ends at — may not be in it.
 * In sim/ that is what failed lookups were (README "The routing table's depth").
 *
 * The peers here are offered to the table directly, every contact counted as alive (kad-dht's
 * ping of old contacts set never to fire, as when they answer): what is measured is only which
 * peers the table has room for.
 */
describe('the routing table keeps a host\'s nearest neighbours in a mesh of 3,000', () => {
  const nodes: MeshNode[] = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async (n) => n.stop())) })

  const HOSTS = 3000
  let peers: PeerId[] | undefined
  const meshPeers = async (): Promise<PeerId[]> => {
    if (peers != null) return peers
    peers = []
    for (let i = 0; i < HOSTS; i++) {
      const seed = createHash('sha256').update(`routing-table-depth ${i}`).digest()
      peers.push(peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', seed)))
    }
    return peers
  }
  const kadId = (p: PeerId): Buffer => createHash('sha256').update(p.toMultihash().bytes).digest()
  const xorCompare = (a: Buffer, b: Buffer, to: Buffer): number => {
    for (let i = 0; i < to.length; i++) { const d = (a[i]! ^ to[i]!) - (b[i]! ^ to[i]!); if (d !== 0) return d }
    return 0
  }

  /** Offers every peer to a node's table; returns how many of its 20 nearest the table holds. */
  async function nearestKept (prefixLength: number | undefined): Promise<{ kept: number, size: number }> {
    const config = defaultConfig()
    config.listen = [`/memory/rt-depth-${prefixLength ?? 'default'}-${process.pid}`]
    config.mdns = false
    config.nat = { ...config.nat, reserve: false, dcutr: false, autonat: false, upnp: false }
    if (prefixLength !== undefined) config.dht.prefixLength = prefixLength
    const node = await createMeshNode({ config, privateKey: await generateKeyPair('Ed25519'), transports: [memory()] })
    nodes.push(node)
    await node.start()
    const kb = (node.services.dht as unknown as { routingTable: { kb: { prefixLength: number, lastPingThreshold: number, add: (p: PeerId) => Promise<void>, get: (id: Uint8Array) => unknown, count: () => number } } }).routingTable.kb
    expect(kb.prefixLength).toBe(config.dht.prefixLength)
    kb.lastPingThreshold = Number.POSITIVE_INFINITY
    const all = await meshPeers()
    for (const p of all) await kb.add(p)
    const own = kadId(node.peerId)
    const nearest = [...all].sort((a, b) => xorCompare(kadId(a), kadId(b), own)).slice(0, 20)
    return { kept: nearest.filter((p) => kb.get(kadId(p)) != null).length, size: kb.count() }
  }

  it('at the daemon\'s default depth it holds all 20 of the nearest; at kad-dht\'s own (6) it does not', async () => {
    const daemon = await nearestKept(undefined)
    expect(defaultConfig().dht.prefixLength).toBe(8)
    expect(daemon.kept).toBe(20)
    // The cost: a bigger table (still bounded by 2^8 × 20 = 5,120).
    expect(daemon.size).toBeLessThanOrEqual(2 ** 8 * 20)
    const stock = await nearestKept(6)
    expect(stock.size).toBeLessThanOrEqual(2 ** 6 * 20)
    expect(stock.kept).toBeLessThan(20)
  }, 60_000)
})
