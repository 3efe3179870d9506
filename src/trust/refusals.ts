import type { ConnectionGater, PeerId } from '@libp2p/interface'
import { REFUSED_BACKOFF_MS } from './constants.js'

/**
 * Peers recently refused at hello, kept off for a while: no dial to them, no
 * inbound connection from them, so a refused peer cannot make the daemon
 * redo the exchange in a loop. Cleared when this host's trust changes (a new
 * certificate, say), since the reason may have gone.
 */
export class RefusalList {
  private readonly until = new Map<string, { untilMs: number, reason: string }>()
  private readonly now: () => number
  private readonly backoffMs: number

  constructor (now: () => number, backoffMs = REFUSED_BACKOFF_MS) {
    this.now = now
    this.backoffMs = backoffMs
  }

  /** Keeps `peer` off for the backoff (or `backoffMs`, when given). */
  refuse (peer: string, reason: string, backoffMs = this.backoffMs): void {
    this.until.set(peer, { untilMs: this.now() + backoffMs, reason })
  }

  /** The reason `peer` is kept off, or undefined if it is not. */
  reason (peer: string): string | undefined {
    const entry = this.until.get(peer)
    if (entry == null) return undefined
    if (entry.untilMs <= this.now()) { this.until.delete(peer); return undefined }
    return entry.reason
  }

  clear (): void {
    this.until.clear()
  }

  /** The entries in force, for status. */
  list (): Array<{ peer: string, reason: string, untilMs: number }> {
    return [...this.until].filter(([, e]) => e.untilMs > this.now()).map(([peer, e]) => ({ peer, ...e }))
  }

  /** A libp2p connection gater that keeps refused peers off. */
  gater (): ConnectionGater {
    const refused = (peer: PeerId): boolean => this.reason(peer.toString()) !== undefined
    return {
      denyDialPeer: refused,
      denyInboundEncryptedConnection: refused,
      denyOutboundEncryptedConnection: refused
    }
  }
}
