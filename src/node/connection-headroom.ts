import type { Connection, Libp2p } from '@libp2p/interface'

/** Share of `connections.max` kept free for inbound connections. */
export const HEADROOM_FRACTION = 0.1

/**
 * Streams libp2p itself treats as safe to cut when it prunes (identify, identify push, AutoNAT,
 * DCUtR), and ping. A connection carrying any other stream — a task, a hello, a DHT query — is
 * left alone.
 */
const CLOSABLE_PROTOCOLS = new Set(['/ipfs/id/1.0.0', '/ipfs/id/push/1.0.0', '/libp2p/autonat/1.0.0', '/libp2p/autonat/2/dial-request', '/libp2p/autonat/2/dial-back', '/libp2p/dcutr', '/ipfs/ping/1.0.0'])

/** A connection this young is never closed for room: a newcomer gets time to do what it came for (go-libp2p's connection manager has the same grace). */
export const HEADROOM_GRACE_MS = 20_000

/** Free slots kept for a connection limit of `max`: 10 %, at least 1 (none for a limit of 1). */
export function headroomFor (max: number): number {
  return max <= 1 ? 0 : Math.max(1, Math.ceil(max * HEADROOM_FRACTION))
}

export interface ConnectionHeadroomInit {
  node: Pick<Libp2p, 'getConnections' | 'addEventListener' | 'removeEventListener' | 'peerStore'>
  /** libp2p's `maxConnections`. */
  max: number
  /** Slots to keep free (default {@link headroomFor}(max)). */
  headroom?: number
  /** Connections younger than this are not closed (default {@link HEADROOM_GRACE_MS}). */
  graceMs?: number
  /** Called after each pruning pass with the connections it closed. */
  onPrune?: (closed: Connection[]) => void
}

/**
 * Keeps room for inbound connections under libp2p's connection limit.
 *
 * libp2p refuses every inbound connection while a node holds `maxConnections`, and its own pruner
 * only trims back to that number after an outbound dial has gone past it. A host that keeps
 * dialling (its DHT walks do) therefore sits at the limit, and no new peer can connect to it — not
 * even to call its agents: in sim/, the agents of the first hosts to join, which every newcomer
 * had dialled, became unreachable to later callers (README "Seventh pass").
 *
 * Whenever a connection opens and more than `max − headroom` are open, this closes the excess:
 * lowest total tag value first (as libp2p's pruner: kad-dht's closest peers and relay reservations
 * are tagged), then fewest streams, then oldest first — not libp2p's newest first, which would close
 * the newcomer the room was kept for. Connections younger than `graceMs`, and connections that carry
 * a stream libp2p would not cut either, are left alone.
 */
export class ConnectionHeadroom {
  private readonly init: ConnectionHeadroomInit
  readonly target: number
  private running: Promise<void> | undefined
  private again = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false

  constructor (init: ConnectionHeadroomInit) {
    this.init = init
    this.target = init.max - (init.headroom ?? headroomFor(init.max))
  }

  start (): void {
    this.stopped = false
    this.init.node.removeEventListener('connection:open', this.onOpen)
    this.init.node.addEventListener('connection:open', this.onOpen)
  }

  stop (): void {
    this.stopped = true
    this.init.node.removeEventListener('connection:open', this.onOpen)
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  private readonly onOpen = (): void => {
    if (this.init.node.getConnections().length <= this.target) return
    void this.prune()
  }

  /** Closes connections until at most `target` are open (or none is left that may be closed). One pass at a time. */
  async prune (): Promise<void> {
    if (this.running != null) {
      this.again = true
      await this.running
      return
    }
    this.running = (async () => {
      do {
        this.again = false
        await this.pass()
      } while (this.again)
    })().finally(() => { this.running = undefined })
    await this.running
  }

  private async pass (): Promise<void> {
    const { node } = this.init
    const connections = node.getConnections()
    const excess = connections.length - this.target
    if (excess <= 0) return
    const graceMs = this.init.graceMs ?? HEADROOM_GRACE_MS
    const settled = Date.now() - graceMs
    const candidates = connections.filter((c) => c.status === 'open' && c.timeline.open <= settled && c.streams.every((s) => s.protocol == null || CLOSABLE_PROTOCOLS.has(s.protocol)))
    // Peer-store reads only for connections that may be closed: in a burst of new connections
    // (all within their grace) a pass reads nothing.
    const values = new Map<string, number>()
    for (const c of candidates) {
      const key = c.remotePeer.toString()
      if (values.has(key)) continue
      values.set(key, 0)
      try {
        const peer = await node.peerStore.get(c.remotePeer)
        values.set(key, [...peer.tags.values()].reduce((sum, tag) => sum + tag.value, 0))
      } catch {}
    }
    const value = (c: Connection): number => values.get(c.remotePeer.toString()) ?? 0
    const victims = candidates.sort((a, b) =>
      value(a) - value(b) ||
      a.streams.length - b.streams.length ||
      a.timeline.open - b.timeline.open
    ).slice(0, excess)
    await Promise.all(victims.map(async (c) => {
      try { await c.close({ signal: AbortSignal.timeout(1000) }) } catch (err) { c.abort(err as Error) }
    }))
    if (victims.length > 0) this.init.onPrune?.(victims)
    // Still over because some connections were too young: look again when the first of them comes
    // of age (a full host may see no other connection open until then: it refuses them).
    const young = connections.filter((c) => c.status === 'open' && c.timeline.open > settled)
    if (victims.length < excess && young.length > 0 && this.timer === undefined && !this.stopped) {
      const due = Math.min(...young.map((c) => c.timeline.open)) + graceMs - Date.now()
      this.timer = setTimeout(() => { this.timer = undefined; if (!this.stopped) void this.prune() }, Math.max(0, due) + 10)
      this.timer.unref?.()
    }
  }
}
