/**
 * A token bucket per peer: `ratePerSecond` tokens refill continuously up to
 * `burst`. Idle peers' buckets are dropped so memory stays bounded.
 */
export class PeerRateLimiter {
  private readonly buckets = new Map<string, { tokens: number, at: number }>()

  constructor (private readonly ratePerSecond: number, private readonly burst: number, private readonly now: () => number) {}

  /** Takes one token for `peer`; false when the peer is over its rate. */
  take (peer: string): boolean {
    const t = this.now()
    const b = this.buckets.get(peer) ?? { tokens: this.burst, at: t }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerSecond)
    b.at = t
    if (this.buckets.size > 10_000) this.prune(t)
    this.buckets.set(peer, b)
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }

  private prune (t: number): void {
    for (const [peer, b] of this.buckets) {
      if (b.tokens + ((t - b.at) / 1000) * this.ratePerSecond >= this.burst) this.buckets.delete(peer)
    }
  }
}
