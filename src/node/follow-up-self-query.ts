import type { Libp2p } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import { SELF_QUERY_EVENT } from './constants.js'

/** How long after the first self-query completes the follow-up runs (ms). */
export const FOLLOW_UP_SELF_QUERY_DELAY_MS = 60_000

/** The follow-up walk's bound (ms): kad-dht gives its own later self-queries 5 s; a walk that opens connections may take longer on a busy host. */
export const FOLLOW_UP_SELF_QUERY_TIMEOUT_MS = 30_000

export interface FollowUpSelfQueryInit {
  node: Pick<Libp2p<{ dht: KadDHT }>, 'peerId' | 'services' | 'addEventListener' | 'removeEventListener'>
  /** Default {@link FOLLOW_UP_SELF_QUERY_DELAY_MS}. */
  delayMs?: number
  /** Default {@link FOLLOW_UP_SELF_QUERY_TIMEOUT_MS}. */
  timeoutMs?: number
  /** Called when the follow-up ends, with the number of closest peers its walk ended on (0 when it failed or was stopped). */
  onDone?: (closest: number) => void
}

/**
 * One more self-query a minute after joining.
 *
 * kad-dht walks toward the node's own ID a second after start, and so meets, and enters the routing
 * tables of, the peers nearest to it; then it walks again every 5 minutes. When many hosts join at
 * once (a site booting, a fleet rolled out), the first walk meets only the hosts that had joined
 * by then, and it may end before the nearest of them: until the next walk, 5 minutes on, lookups
 * of this host by peer ID (a dial by peer ID, `agentmesh find`, a route refresh) can fail.
 * One follow-up walk a minute after the first one completes shortens that window. Measured in
 * sim/ (README "Eighth pass"): at 1,000 nodes this follow-up took findPeer p95 from 1.4 s to
 * 0.79 s and found every peer (one run).
 *
 * Runs once per start; stop() cancels a pending or running follow-up.
 */
export class FollowUpSelfQuery {
  private readonly init: FollowUpSelfQueryInit
  private timer: ReturnType<typeof setTimeout> | undefined
  private controller: AbortController | undefined
  private armed = false

  constructor (init: FollowUpSelfQueryInit) {
    this.init = init
  }

  start (): void {
    if (this.armed) return
    this.armed = true
    events(this.init.node).addEventListener(SELF_QUERY_EVENT, this.onFirst)
  }

  stop (): void {
    this.armed = false
    events(this.init.node).removeEventListener(SELF_QUERY_EVENT, this.onFirst)
    clearTimeout(this.timer)
    this.timer = undefined
    this.controller?.abort()
  }

  private readonly onFirst = (): void => {
    // Only the first self-query of this start schedules one.
    events(this.init.node).removeEventListener(SELF_QUERY_EVENT, this.onFirst)
    if (!this.armed) return
    this.timer = setTimeout(() => { void this.run() }, this.init.delayMs ?? FOLLOW_UP_SELF_QUERY_DELAY_MS)
    this.timer.unref?.()
  }

  private async run (): Promise<void> {
    this.timer = undefined
    this.controller = new AbortController()
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.init.timeoutMs ?? FOLLOW_UP_SELF_QUERY_TIMEOUT_MS)])
    // 0 when stopped, timed out, or nobody to ask: kad-dht's own schedule runs the next one.
    const closest = await querySelfOnce(this.init.node, signal)
    this.controller = undefined
    this.init.onDone?.(closest)
  }
}

/**
 * One self-query, now: a closest-peers walk toward the node's own ID. Resolves with the number of
 * closest peers it ended on (0 when it failed or `signal` ended it).
 */
export async function querySelfOnce (node: Pick<FollowUpSelfQueryInit['node'], 'peerId' | 'services'>, signal: AbortSignal): Promise<number> {
  let closest = 0
  try {
    for await (const e of node.services.dht.getClosestPeers(node.peerId.toMultihash().bytes, { signal })) {
      if (e.name === 'FINAL_PEER') closest++
    }
  } catch {}
  return closest
}

/** The node as a plain event target: {@link SELF_QUERY_EVENT} is not in libp2p's typed event map. */
function events (node: FollowUpSelfQueryInit['node']): EventTarget {
  return node as unknown as EventTarget
}
