/** Builds the DHT protocol id for a mesh: a private DHT, never IPFS's. */
export function dhtProtocol (mesh: string): string {
  return `/agentmesh/${mesh}/kad/1.0.0`
}

/** Builds the mDNS service tag for a mesh, so meshes on one LAN stay apart. */
export function mdnsServiceTag (mesh: string): string {
  return `_agentmesh-${mesh}._udp.local`
}

/** How long a redial of a known peer may take at start-up. */
export const REDIAL_TIMEOUT_MS = 10_000

/** How many known peers are redialled at once. */
export const REDIAL_CONCURRENCY = 8

/** How long a dial of a peer found by mDNS may take. */
export const MDNS_DIAL_TIMEOUT_MS = 10_000

/**
 * How long identify may take on a connection. In a closed mesh its stream
 * waits behind the hello gate (up to the hello's 10 s) before the exchange
 * starts; with identify's stock 5 s a slow hello made identify fail, the
 * peer's protocols were never learnt and the DHT never took the peer into its
 * routing table. 10 s for the gate and 5 s for the exchange.
 */
export const IDENTIFY_TIMEOUT_MS = 15_000

/**
 * The event a libp2p node dispatches when kad-dht's self-query completes (its
 * components' events reach the node's own listeners). Not in libp2p's typed
 * event map; kad-dht dispatches it on success only.
 */
export const SELF_QUERY_EVENT = 'kad-dht:query:self'
