import { ApiError } from './errors.js'
import type { Route } from './router.js'

/** A peer's connections as the API shows them. */
export interface PeerView {
  peer: string
  addresses: string[]
  connections: number
  direction: 'inbound' | 'outbound'
  limited: boolean
  openedAt: string
  /** `direct` when any connection to the peer is direct, else `relayed`. */
  path: 'direct' | 'relayed'
  /** For a relayed path: the relay's peer ID. */
  relay?: string
  /** When the connection on that path opened. */
  since: string
}

/** `GET /v1/status`. */
export interface StatusView {
  peerId: string
  mesh: string
  version: string
  addresses: string[]
  reachability: 'public' | 'private' | 'relayed'
  /** Reachability as AutoNAT and the address manager know it, how it was learnt, and the relay reservations. */
  nat: { reachability: 'public' | 'private' | 'unknown', how: string, relayed: boolean, relayAddresses: string[] }
  connections: number
  peers: number
  dht: { mode: 'server' | 'client', routingTableSize: number, /** The peers in it. */ routingTable: string[] }
  mdns: boolean
  /** Local agents registered with this daemon. */
  agents: string[]
  /** Trust mode, this host's certificate, policy and verified peers (see /v1/trust). */
  trust?: unknown
  api: { socket: string, tcp: string | null }
  uptimeMs: number
}

/** The daemon operations the `/v1` routes expose. */
export interface MeshControl {
  status(): StatusView
  peers(): PeerView[]
  findPeer(peer: string, signal: AbortSignal): Promise<{ peer: string, addresses: string[], connected: boolean }>
  ping(peer: string, signal: AbortSignal): Promise<{ peer: string, rttMs: number }>
  connect(address: string, signal: AbortSignal): Promise<{ peer: string, address: string }>
}

const PEER = '(?<peer>[^/]+)'

/** The `/v1` route table over a {@link MeshControl}. */
export function v1Routes (mesh: MeshControl): Route[] {
  return [
    { method: 'GET', pattern: /^\/v1\/status$/, handler: () => ({ json: mesh.status() }) },
    { method: 'GET', pattern: /^\/v1\/peers$/, handler: () => ({ json: { peers: mesh.peers() } }) },
    {
      method: 'POST',
      pattern: /^\/v1\/peers\/connect$/,
      handler: async (ctx) => {
        const body = await ctx.body()
        const address = (body as { multiaddr?: unknown } | undefined)?.multiaddr
        if (typeof address !== 'string' || address === '') {
          throw new ApiError(400, 'INVALID_REQUEST', 'body must be {"multiaddr": "/ip4/…/tcp/…/p2p/<peer-id>"}')
        }
        return { json: await mesh.connect(address, ctx.signal) }
      }
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/peers/${PEER}$`),
      handler: async (ctx) => ({ json: await mesh.findPeer(ctx.params.peer ?? '', ctx.signal) })
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/v1/peers/${PEER}/ping$`),
      handler: async (ctx) => ({ json: await mesh.ping(ctx.params.peer ?? '', ctx.signal) })
    }
  ]
}
