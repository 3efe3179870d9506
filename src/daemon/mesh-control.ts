import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import { ApiError, type MeshControl, type PeerView, type StatusView } from '../api/index.js'
import type { Config } from '../config/index.js'
import { classifyReachability, reachabilityReport, type KnownAddress, type MeshNode } from '../node/index.js'
import { VERSION } from '../version.js'

/** What {@link NodeMeshControl} needs. */
export interface MeshControlInit {
  node: MeshNode
  config: Config
  apiSocket: string
  apiTcp: () => string | null
  startedAt: number
  /** Names of the local agents (for status). */
  localAgents?: () => string[]
  /** The trust state, for status. */
  trust?: () => unknown
  now?: () => number
}

/** Parses a peer ID from user input, or throws a 400. */
export function parsePeerId (text: string): PeerId {
  try {
    return peerIdFromString(text)
  } catch {
    throw new ApiError(400, 'INVALID_PEER_ID', `"${text}" is not a peer ID (expected something like 12D3KooW…)`)
  }
}

function parseMultiaddr (text: string): Multiaddr {
  try {
    return multiaddr(text)
  } catch {
    throw new ApiError(400, 'INVALID_MULTIADDR', `"${text}" is not a multiaddr (expected something like /ip4/10.0.0.1/tcp/4401/p2p/12D3KooW…)`)
  }
}

/** The `/v1` operations, implemented over a running libp2p node. */
export class NodeMeshControl implements MeshControl {
  private readonly init: MeshControlInit
  private readonly now: () => number

  constructor (init: MeshControlInit) {
    this.init = init
    this.now = init.now ?? Date.now
  }

  status (): StatusView {
    const { node, config } = this.init
    const addrs = node.getMultiaddrs()
    const dht = node.services.dht
    return {
      peerId: node.peerId.toString(),
      mesh: config.mesh,
      version: VERSION,
      addresses: addrs.map((a) => a.toString()),
      reachability: classifyReachability(addrs),
      nat: reachabilityReport(knownAddresses(node), config.announce.length > 0),
      connections: node.getConnections().length,
      peers: node.getPeers().length,
      dht: { mode: dht.getMode(), routingTableSize: routingTableSize(dht), routingTable: routingTablePeers(dht) },
      mdns: config.mdns,
      agents: this.init.localAgents?.() ?? [],
      ...(this.init.trust != null ? { trust: this.init.trust() } : {}),
      api: { socket: this.init.apiSocket, tcp: this.init.apiTcp() },
      uptimeMs: this.now() - this.init.startedAt
    }
  }

  peers (): PeerView[] {
    const byPeer = new Map<string, PeerView>()
    for (const conn of this.init.node.getConnections()) {
      const id = conn.remotePeer.toString()
      const addr = conn.remoteAddr.toString()
      const relay = relayOf(addr)
      const opened = new Date(conn.timeline.open).toISOString()
      const seen = byPeer.get(id)
      if (seen != null) {
        seen.connections++
        seen.addresses.push(addr)
        // A direct connection wins: new streams use it.
        if (seen.path === 'relayed' && relay === undefined) {
          seen.path = 'direct'
          seen.since = opened
          delete seen.relay
        }
        continue
      }
      byPeer.set(id, {
        peer: id,
        addresses: [addr],
        connections: 1,
        direction: conn.direction,
        limited: conn.limits != null,
        openedAt: opened,
        path: relay === undefined ? 'direct' : 'relayed',
        ...(relay !== undefined ? { relay } : {}),
        since: opened
      })
    }
    return [...byPeer.values()]
  }

  async findPeer (peer: string, signal: AbortSignal): Promise<{ peer: string, addresses: string[], connected: boolean }> {
    const id = parsePeerId(peer)
    const { node, config } = this.init
    if (id.equals(node.peerId)) {
      return { peer, addresses: node.getMultiaddrs().map(String), connected: false }
    }
    if (node.getConnections(id).length === 0 && routingTableSize(node.services.dht) === 0) {
      // An empty routing table has nobody to ask; the DHT would wait out its whole timeout.
      throw new ApiError(404, 'PEER_NOT_FOUND', `peer ${peer} was not found: this daemon knows no other peers yet (give it a --bootstrap address or enable mDNS)`)
    }
    try {
      const found = await node.peerRouting.findPeer(id, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(config.dht.queryTimeoutMs)])
      })
      return { peer, addresses: found.multiaddrs.map(String), connected: node.getConnections(id).length > 0 }
    } catch (err) {
      if (signal.aborted) throw err
      throw new ApiError(404, 'PEER_NOT_FOUND', `peer ${peer} was not found in the DHT`, { cause: err })
    }
  }

  async ping (peer: string, signal: AbortSignal): Promise<{ peer: string, rttMs: number }> {
    const id = parsePeerId(peer)
    const { node, config } = this.init
    if (id.equals(node.peerId)) throw new ApiError(400, 'INVALID_REQUEST', 'cannot ping this daemon itself')
    const timeout = AbortSignal.timeout(config.dht.queryTimeoutMs)
    const both = AbortSignal.any([signal, timeout])
    if (node.getConnections(id).length === 0 && (await node.peerStore.get(id).then((p) => p.addresses.length, () => 0)) === 0) {
      // Not known yet: look it up in the DHT first, so the error says which step failed.
      await this.findPeer(peer, signal)
    }
    try {
      const rttMs = await node.services.ping.ping(id, { signal: both })
      return { peer, rttMs }
    } catch (err) {
      if (signal.aborted) throw err
      const why = timeout.aborted ? `no answer within ${config.dht.queryTimeoutMs} ms` : (err as Error).message
      throw new ApiError(502, 'PEER_UNREACHABLE', `cannot ping ${peer}: ${why}`, { cause: err })
    }
  }

  async connect (address: string, signal: AbortSignal): Promise<{ peer: string, address: string }> {
    const ma = parseMultiaddr(address)
    const { node, config } = this.init
    try {
      const conn = await node.dial(ma, { signal: AbortSignal.any([signal, AbortSignal.timeout(config.dht.queryTimeoutMs)]) })
      return { peer: conn.remotePeer.toString(), address: conn.remoteAddr.toString() }
    } catch (err) {
      if (signal.aborted) throw err
      throw new ApiError(502, 'PEER_UNREACHABLE', `cannot connect to ${address}: ${(err as Error).message}`, { cause: err })
    }
  }
}

/** The peer IDs in the DHT routing table. */
export function routingTablePeers (dht: unknown): string[] {
  const kb = (dht as { routingTable?: { kb?: { toIterable?: () => Iterable<{ peerId: { toString: () => string } }> } } }).routingTable?.kb
  return kb?.toIterable != null ? [...kb.toIterable()].map((p) => p.peerId.toString()) : []
}

/** The node's addresses with libp2p's verification state (the address manager is not on the public node API). */
function knownAddresses (node: MeshNode): KnownAddress[] {
  const manager = (node as unknown as { components?: { addressManager?: { getAddressesWithMetadata?: () => KnownAddress[] } } }).components?.addressManager
  return manager?.getAddressesWithMetadata?.() ?? node.getMultiaddrs().map((multiaddr) => ({ multiaddr, verified: true, type: 'transport' }))
}

/** The relay's peer ID in a relayed address (`…/p2p/RELAY/p2p-circuit/…`), if it is one. */
function relayOf (addr: string): string | undefined {
  const at = addr.indexOf('/p2p-circuit')
  if (at === -1) return undefined
  return /\/p2p\/([^/]+)$/.exec(addr.slice(0, at))?.[1] ?? ''
}

/** Peers in the DHT routing table (0 before the DHT has started). */
export function routingTableSize (dht: unknown): number {
  const table = (dht as { routingTable?: { size?: number } }).routingTable
  return typeof table?.size === 'number' ? table.size : 0
}
