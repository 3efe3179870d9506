import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import type { Peer, PeerUpdate } from '@libp2p/interface'
import type { MeshNode } from '../node/index.js'
import { SELF_QUERY_EVENT } from '../node/constants.js'
import type { Logger } from '../telemetry/index.js'

/** What {@link Directory} needs. */
export interface DirectoryInit {
  node: MeshNode
  mesh: string
  log: Logger
  queryTimeoutMs: number
  /** The names of the agents hosted here, to advertise. */
  localAgents: () => string[]
  /**
   * Whether `peer` holds a certificate for agent `name` (closed mesh). When
   * given, {@link Directory.find} counts only certified providers as an
   * answer (its grace starts at the first one) and lists them first; an
   * impostor's record does not end the search.
   */
  certifiedFor?: (peer: string, name: string, signal: AbortSignal) => Promise<boolean>
  /** How long find() keeps listening after its first answer (ms; default {@link FIND_GRACE_MS}). */
  findGraceMs?: number
  /**
   * How long after the first well-connected round the settle round runs (ms;
   * default {@link SETTLE_MS}, the daemon's). The simulator shortens it, as it
   * compresses the 10-minute refresh, so a run need not wait 30 s for it.
   */
  settleMs?: number
}

/** Providers at which find() stops listening at once. */
export const FIND_MAX_PROVIDERS = 20

/**
 * How long find() keeps listening for more providers after the first usable
 * one (ms). A provider query walks until the closest peers to the key have all
 * answered — seconds in a large mesh — though the first record usually comes
 * within a hop or two; a short grace lets a second host of the same name (or
 * the real one, after an impostor) come in without paying for the whole walk.
 */
export const FIND_GRACE_MS = 300

/**
 * Connections at which a daemon counts as well connected: once an advertising
 * round has run with this many, new connections no longer start another one
 * (the periodic refresh keeps the records fresh).
 */
export const WELL_CONNECTED = 8

/**
 * How long a starting daemon waits at most for its first advertising round
 * (ms, from {@link Directory.start}). The round normally starts when the DHT's
 * first self-query completes (kad-dht starts it 1 s after start and gives it
 * 5 s) or when {@link WELL_CONNECTED} peers are connected, whichever is first;
 * this bounds the wait when neither happens (a lone daemon, or a mesh of a
 * few peers whose self-query found nobody to ask).
 */
export const FIRST_ROUND_MAX_WAIT_MS = 8_000

/** kad-dht's self-query completed (src/node/constants.ts). */
export { SELF_QUERY_EVENT }

/** How often the local agents are advertised again (ms). */
export const REFRESH_MS = 10 * 60_000

/**
 * After this daemon's own addresses change (a relay reservation gained or
 * lost, a new listen or confirmed address), one round this much later (ms).
 * A daemon behind NAT is reachable only at its relayed address, which it gains
 * about a second after its first connection, often after its first round:
 * peers that learnt its addresses before (from its records, or from a DHT
 * answer) hold only its unusable direct ones, and a peer that holds any
 * address for it dials those without asking the DHT again (measured on
 * emulated NATs: a host's tasks to a NATed peer failed "All multiaddr dials
 * failed" for 45 s). The round after the change, once identify-push has told
 * connected peers the new addresses, reaches the peers nearest its keys at
 * their current addresses and connects to them. Changes that come together
 * make one round.
 */
export const ADDRESS_CHANGE_DEBOUNCE_MS = 2_000

/**
 * After the first round that finds this daemon well connected, one more round
 * this much later (ms). A daemon that has just joined sees part of the DHT:
 * its first records land on the peers closest to each key among those it
 * knew, and lookups, which walk to the closest peers of the whole mesh, can
 * miss them until the 10-minute refresh (measured in sim/: agent lookups at
 * 30–40 % after convergence at 100 nodes). One round once the view has
 * settled puts them where lookups go.
 */
export const SETTLE_MS = 30_000

/** The DHT key under which hosts of agent `name` in `mesh` advertise themselves. */
export async function agentKey (mesh: string, name: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`/agentmesh/${mesh}/agent/${name}`)))
}

/**
 * Which peers host which agents, through provider records in the mesh's
 * private DHT. A record only says where to ask, never who an agent is.
 *
 * Advertising is best effort: once the daemon is reasonably connected after
 * start (its DHT's first self-query has completed, or {@link WELL_CONNECTED}
 * peers are connected, or at the latest {@link FIRST_ROUND_MAX_WAIT_MS} after
 * start), on registration (after that), every {@link REFRESH_MS}, once more
 * {@link SETTLE_MS} (`settleMs`) after the first round that found it well
 * connected, {@link ADDRESS_CHANGE_DEBOUNCE_MS} after its own addresses
 * change, and when a peer connects while this daemon is still poorly
 * connected (its last round ran with fewer than {@link WELL_CONNECTED}
 * connections, or none has run). Not on every connection: each round is a
 * DHT query that opens connections of its own, so in a large mesh
 * advertising on every new connection fed itself (measured in sim/: a storm
 * of rounds). Not before the self-query either: a round started with only
 * the bootstrap connections put its records on the few peers it knew, and the
 * connections the self-query opened meanwhile asked for a second round at
 * once (measured in sim/: 2.7 provides per node at start, 31 % of them timed
 * out).
 */
export class Directory {
  private readonly init: DirectoryInit
  private timer: ReturnType<typeof setTimeout> | undefined
  private refresh: ReturnType<typeof setInterval> | undefined
  /** Connections when the last advertising round started, if one has. */
  private lastRoundConnections: number | undefined
  private settle: ReturnType<typeof setTimeout> | undefined
  private settled = false
  /** The first round may run (see {@link FIRST_ROUND_MAX_WAIT_MS}); until then, rounds and registrations wait for it. */
  private ready = false
  private startup: ReturnType<typeof setTimeout> | undefined
  /** A round is in flight; `again`: another was asked for meanwhile (it runs when this one ends). */
  private inFlight = false
  private again = false
  private readonly stopped = new AbortController()

  constructor (init: DirectoryInit) {
    this.init = init
  }

  /**
   * Starts advertising local agents once the daemon is reasonably connected
   * (at most {@link FIRST_ROUND_MAX_WAIT_MS} from now), then as described on
   * the class.
   */
  start (): void {
    this.init.node.addEventListener('peer:connect', this.onConnect)
    this.init.node.addEventListener('self:peer:update', this.onSelfUpdate)
    events(this.init.node).addEventListener(SELF_QUERY_EVENT, this.onSelfQuery)
    this.startup = setTimeout(() => { this.startup = undefined; this.becomeReady() }, FIRST_ROUND_MAX_WAIT_MS)
    this.startup.unref?.()
    this.refresh = setInterval(() => { this.advertiseSoon(0) }, REFRESH_MS)
    this.refresh.unref?.()
  }

  stop (): void {
    this.stopped.abort()
    this.init.node.removeEventListener('peer:connect', this.onConnect)
    this.init.node.removeEventListener('self:peer:update', this.onSelfUpdate)
    events(this.init.node).removeEventListener(SELF_QUERY_EVENT, this.onSelfQuery)
    if (this.startup !== undefined) clearTimeout(this.startup)
    if (this.timer !== undefined) clearTimeout(this.timer)
    if (this.settle !== undefined) clearTimeout(this.settle)
    if (this.refresh !== undefined) clearInterval(this.refresh)
  }

  /** Advertises one agent now (after a registration); before the first round, that round will. */
  async advertise (name: string): Promise<void> {
    const { node, mesh, queryTimeoutMs, log } = this.init
    if (!this.ready || node.getConnections().length === 0) return
    try {
      await node.contentRouting.provide(await agentKey(mesh, name), {
        signal: AbortSignal.any([this.stopped.signal, AbortSignal.timeout(queryTimeoutMs)])
      })
      log.debug({ agent: name }, 'advertised agent in the DHT')
    } catch (err) {
      log.debug({ agent: name, err: (err as Error).message }, 'advertising agent failed')
    }
  }

  /**
   * The peers that advertise agent `name`: certified ones first (when the
   * directory can tell), then connected ones. Returns once the provider query
   * ends, {@link FIND_MAX_PROVIDERS} are found, or {@link FIND_GRACE_MS} after
   * the first usable provider, whichever comes first — not after the whole
   * query, which in a large mesh costs seconds after the answer came.
   */
  async find (name: string, signal: AbortSignal): Promise<string[]> {
    const { node, mesh, queryTimeoutMs, certifiedFor } = this.init
    const graceMs = this.init.findGraceMs ?? FIND_GRACE_MS
    const found = new Set<string>()
    const certified = new Set<string>()
    const key = await agentKey(mesh, name)
    const enough = new AbortController()
    let grace: ReturnType<typeof setTimeout> | undefined
    const answered = (): void => {
      if (grace === undefined) grace = setTimeout(() => { enough.abort() }, graceMs)
    }
    try {
      for await (const provider of node.contentRouting.findProviders(key, {
        signal: AbortSignal.any([signal, enough.signal, AbortSignal.timeout(queryTimeoutMs)])
      })) {
        const peer = provider.id.toString()
        if (provider.id.equals(node.peerId) || found.has(peer)) continue
        found.add(peer)
        if (certifiedFor == null) {
          answered()
        } else {
          certifiedFor(peer, name, signal).then((ok) => {
            if (!ok) return
            certified.add(peer)
            answered()
          }, () => {})
        }
        if (found.size >= FIND_MAX_PROVIDERS) break
      }
    } catch (err) {
      if (signal.aborted) throw err
      // Enough (the grace ran out), a timeout or an empty DHT: whatever was found so far is the answer.
    } finally {
      if (grace !== undefined) clearTimeout(grace)
    }
    const rank = (peer: string): number => (certified.has(peer) ? 2 : 0) + connected(node, peer)
    return [...found].sort((a, b) => rank(b) - rank(a))
  }

  private readonly onSelfQuery = (): void => { this.becomeReady() }

  /** Opens the gate of the first round (once), and runs it. */
  private becomeReady (): void {
    if (this.ready || this.stopped.signal.aborted) return
    this.ready = true
    if (this.startup !== undefined) clearTimeout(this.startup)
    this.startup = undefined
    events(this.init.node).removeEventListener(SELF_QUERY_EVENT, this.onSelfQuery)
    this.advertiseSoon(0)
  }

  /** Own addresses changed (not only protocols, which the same event reports): advertise them (debounced). */
  private readonly onSelfUpdate = (evt: CustomEvent<PeerUpdate>): void => {
    const { peer, previous } = evt.detail
    if (previous != null && addressesOf(previous) === addressesOf(peer)) return
    // Before the first round, that round carries them.
    this.advertiseSoon(ADDRESS_CHANGE_DEBOUNCE_MS)
  }

  private readonly onConnect = (): void => {
    if (!this.ready) {
      if (this.init.node.getConnections().length >= WELL_CONNECTED) this.becomeReady()
      return
    }
    if ((this.lastRoundConnections ?? 0) >= WELL_CONNECTED) return
    this.advertiseSoon(2_000)
  }

  private advertiseSoon (delayMs: number): void {
    if (!this.ready || this.timer !== undefined || this.stopped.signal.aborted) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      // Rounds never overlap: under load a provide query takes seconds, and rounds started on top of
      // it while connections arrive multiplied the queries (measured in sim/: most hit their timeout).
      if (this.inFlight) { this.again = true; return }
      const connections = this.init.node.getConnections().length
      // A round with nobody to tell does not count: the next connection starts one.
      if (connections === 0) return
      this.lastRoundConnections = connections
      if (connections >= WELL_CONNECTED && !this.settled) {
        this.settled = true
        this.settle = setTimeout(() => { this.settle = undefined; this.advertiseSoon(0) }, this.init.settleMs ?? SETTLE_MS)
        this.settle.unref?.()
      }
      this.inFlight = true
      void Promise.all(this.init.localAgents().map(async (name) => { await this.advertise(name) })).finally(() => {
        this.inFlight = false
        if (this.again) {
          this.again = false
          this.advertiseSoon(0)
        }
      })
    }, delayMs)
    this.timer.unref?.()
  }
}

/** The node as a plain event target: {@link SELF_QUERY_EVENT} is not in libp2p's typed event map. */
function events (node: MeshNode): EventTarget {
  return node as unknown as EventTarget
}

/** A peer's addresses as one comparable string (order does not matter). */
function addressesOf (peer: Peer): string {
  return peer.addresses.map((a) => a.multiaddr.toString()).sort().join(' ')
}

function connected (node: MeshNode, peer: string): number {
  return node.getConnections().some((c) => c.remotePeer.toString() === peer) ? 1 : 0
}
