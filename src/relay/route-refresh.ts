import type { PeerId } from '@libp2p/interface'
import type { MeshNode } from '../node/index.js'
import { ACK_TIMEOUT_MS, ROUTE_REFRESH_INTERVAL_MS } from './constants.js'
import { RelayTransportError } from './errors.js'

/** What {@link RouteRefresher} needs. */
export interface RouteRefresherInit {
  node: MeshNode
  now: () => number
  /** Least time between two DHT lookups of one peer (default {@link ROUTE_REFRESH_INTERVAL_MS}). */
  intervalMs?: number
}

/** One DHT lookup of a peer: when it started and finished, and what it found (never rejects). */
interface Lookup {
  startedMs: number
  finishedMs?: number
  outcome: Promise<LookupOutcome>
}

interface LookupOutcome {
  /** Addresses the lookup added to the peer store. */
  added: number
  /** What to tell the caller about it. */
  summary: string
}

/**
 * Opens connections and streams to peers, refreshing a peer's addresses from
 * the DHT once when every known one fails.
 *
 * The peer store keeps whatever addresses were learnt first: a NATed host's
 * direct ones, say, before its relayed `/p2p-circuit` address had spread.
 * libp2p asks the peer routing only for a peer with no address at all, so
 * without this every dial would try the dead ones until the task timed out.
 * A lookup walks the DHT, so a peer is looked up at most once per interval;
 * callers whose dial failed while a lookup was under way share it.
 */
export class RouteRefresher {
  private readonly lookups = new Map<string, Lookup>()
  private readonly intervalMs: number

  constructor (private readonly init: RouteRefresherInit) {
    this.intervalMs = init.intervalMs ?? ROUTE_REFRESH_INTERVAL_MS
  }

  /**
   * Runs `open` (a dial or a stream open) against `peer`. If it fails for want
   * of a route (no connection to the peer afterwards), looks the peer up in
   * the DHT, bypassing the peer store, and runs `open` once more when the
   * lookup found an address not known before. Failures are
   * {@link RelayTransportError}s naming both the dial error and the lookup's
   * outcome; an abort of `signal` is rethrown as it is.
   */
  async open<T>(peer: PeerId, open: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    await ensureRouteTo(this.init.node, peer, signal)
    const startedMs = this.init.now()
    let first: unknown
    try {
      return await open(signal)
    } catch (err) {
      if (signal.aborted || !this.worthLookup(peer, err)) throw err
      first = err
    }
    const outcome = await this.lookup(peer, startedMs, signal)
    const failed = `cannot connect to ${peer.toString()}: ${(first as Error).message}`
    if (outcome == null) {
      throw new RelayTransportError(`${failed}; the DHT was asked less than ${this.intervalMs} ms ago`, { cause: first })
    }
    if (outcome.added === 0) throw new RelayTransportError(`${failed}; ${outcome.summary}`, { cause: first })
    try {
      return await open(signal)
    } catch (err) {
      if (signal.aborted) throw err
      throw new RelayTransportError(`${failed}; ${outcome.summary}, and dialling again failed: ${(err as Error).message}`, { cause: err })
    }
  }

  /** A failure a fresh address could mend: no connection to the peer, not a refusal by our own gater. */
  private worthLookup (peer: PeerId, err: unknown): boolean {
    if ((err as Error).name === 'DialDeniedError') return false
    return this.init.node.getConnections(peer).length === 0
  }

  /**
   * The lookup of `peer` to act on: a new one unless one began within the
   * interval; that one is joined if it had not finished when the caller's
   * dial began (the dial could not have used what it found), else
   * `undefined`: the caller's dial already had its addresses.
   */
  private async lookup (peer: PeerId, dialStartedMs: number, signal: AbortSignal): Promise<LookupOutcome | undefined> {
    const key = peer.toString()
    const now = this.init.now()
    this.forgetOld(now)
    let entry = this.lookups.get(key)
    if (entry == null) {
      // Its own time limit, not the caller's signal: others may join it; each waits only within its own signal.
      const started: Lookup = entry = {
        startedMs: now,
        outcome: this.findPeer(peer, AbortSignal.timeout(ACK_TIMEOUT_MS)).finally(() => { started.finishedMs = this.init.now() })
      }
      this.lookups.set(key, entry)
    } else if (entry.finishedMs != null && entry.finishedMs <= dialStartedMs) {
      return undefined
    }
    return raceSignal(entry.outcome, signal)
  }

  /** Asks the DHT (not the peer store) for `peer`; kad-dht's result is merged into the peer store. */
  private async findPeer (peer: PeerId, signal: AbortSignal): Promise<LookupOutcome> {
    const { node } = this.init
    const before = await knownAddresses(node, peer)
    const table = (node.services.dht as unknown as { routingTable?: { size?: number } }).routingTable?.size ?? 0
    if (table === 0) return { added: 0, summary: 'no DHT peers to ask for a fresh address' }
    try {
      const found = await node.peerRouting.findPeer(peer, { signal, useCache: false })
      const fresh = found.multiaddrs.filter((ma) => !before.has(ma.toString()))
      if (fresh.length === 0) return { added: 0, summary: `the DHT knows no other address (it returned ${found.multiaddrs.length}, all tried)` }
      return { added: fresh.length, summary: `the DHT gave ${fresh.length} new address(es): ${fresh.map(String).join(', ')}` }
    } catch (err) {
      if ((err as Error).name === 'NotFoundError') return { added: 0, summary: 'a fresh DHT lookup did not find the peer' }
      return { added: 0, summary: `a fresh DHT lookup failed: ${(err as Error).message}` }
    }
  }

  private forgetOld (now: number): void {
    for (const [key, entry] of this.lookups) if (now - entry.startedMs >= this.intervalMs) this.lookups.delete(key)
  }
}

/**
 * libp2p dials a peer with no known address by asking the DHT, and joins every
 * other dial of that peer (the bootstrap's, say) to that lookup; on an empty
 * routing table the lookup waits out its whole timeout. Fail fast instead and
 * let the caller retry.
 */
export async function ensureRouteTo (node: MeshNode, peer: PeerId, signal: AbortSignal): Promise<void> {
  if (node.getConnections(peer).length > 0) return
  const known = await node.peerStore.get(peer).then((p) => p.addresses.length, () => 0)
  if (known > 0) return
  const table = (node.services.dht as unknown as { routingTable?: { size?: number } }).routingTable?.size ?? 0
  if (table === 0) throw new RelayTransportError(`no route to ${peer.toString()} yet: no known address and no DHT peers to ask`)
  try {
    await node.peerRouting.findPeer(peer, { signal: AbortSignal.any([signal, AbortSignal.timeout(ACK_TIMEOUT_MS)]) })
  } catch (err) {
    throw new RelayTransportError(`cannot find ${peer.toString()} in the DHT: ${(err as Error).message}`, { cause: err })
  }
}

async function knownAddresses (node: MeshNode, peer: PeerId): Promise<Set<string>> {
  const p = await node.peerStore.get(peer).catch(() => undefined)
  return new Set((p?.addresses ?? []).map((a) => a.multiaddr.toString()))
}

/** `promise`, or `signal`'s reason once it aborts (the shared lookup goes on for whoever else waits). */
async function raceSignal<T> (promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted()
  let onAbort: (() => void) | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => {
      onAbort = () => { reject(signal.reason) }
      signal.addEventListener('abort', onAbort, { once: true })
    })])
  } finally {
    if (onAbort != null) signal.removeEventListener('abort', onAbort)
  }
}
