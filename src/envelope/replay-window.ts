import { DEFAULT_CLOCK_SKEW_MS, DEFAULT_PRUNE_BATCH, DEFAULT_PRUNE_INTERVAL_MS, DEFAULT_SEQ_WINDOW } from './constants.js'
import { ReplayError } from './errors.js'
import { acceptSeq } from './seq-window.js'
import type { SeqWindowState } from './seq-window.js'
import type { OpenedEnvelope } from './envelope.js'

/**
 * Persistence of the replay window. {@link ReplayWindow} calls the reads and
 * writes of one check inside one `transaction`, so a check is atomic.
 */
export interface ReplayStore {
  /** Runs `fn` atomically (all of its writes or none). */
  transaction<T>(fn: () => T): T
  /** Whether `sender` already used `nonce`. */
  hasNonce(sender: string, nonce: Uint8Array): boolean
  /** Records `sender`'s `nonce`, with the envelope's timestamp for pruning. */
  addNonce(sender: string, nonce: Uint8Array, timestampMs: number): void
  /** Deletes up to `limit` nonces whose timestamp is below `beforeMs`; returns how many. */
  pruneNonces(beforeMs: number, limit: number): number
  /** The sequence window of (sender, recipient), or undefined before their first envelope. */
  getSeqWindow(sender: string, recipient: string): SeqWindowState | undefined
  /** Replaces the sequence window of (sender, recipient). */
  putSeqWindow(sender: string, recipient: string, state: SeqWindowState): void
}

/** Options of {@link ReplayWindow}. */
export interface ReplayWindowInit {
  /** Where seen nonces and sequence windows persist. */
  store: ReplayStore
  /** This daemon's clock (ms since the epoch). */
  now: () => number
  /** Accepted clock difference either way (ms). Default {@link DEFAULT_CLOCK_SKEW_MS}. */
  skewMs?: number
  /** Sequence numbers accepted below the highest seen. Default {@link DEFAULT_SEQ_WINDOW}. */
  seqWindow?: number
  /** Minimum time between prunes of old nonces (ms). Default {@link DEFAULT_PRUNE_INTERVAL_MS}. */
  pruneIntervalMs?: number
  /** Most nonces deleted per prune. Default {@link DEFAULT_PRUNE_BATCH}. */
  pruneBatch?: number
}

/** The envelope fields the replay window reads; an {@link OpenedEnvelope} has them all. */
export interface ReplayCheckedEnvelope {
  /** The sender (authenticated by `openEnvelope`). */
  from: { peer: string }
  /** The recipient: one sequence window per (sender, recipient). */
  to: { peer: string }
  /** Sender's clock at sealing (ms). */
  timestampMs: number
  /** Per-transmission nonce. */
  nonce: Uint8Array
  /** Per (sender, recipient) sequence number. */
  seq: number
}

/**
 * Refuses envelopes that are stale, from the future, replayed, or outside the
 * sequence window, and records the ones it lets through. Apply it to envelopes
 * that `openEnvelope` authenticated. Every transmission (retries included)
 * carries a fresh nonce and seq, so the window is per transmission, never per
 * task id.
 */
export class ReplayWindow {
  private readonly store: ReplayStore
  private readonly now: () => number
  private readonly skewMs: number
  private readonly seqWindow: number
  private readonly pruneIntervalMs: number
  private readonly pruneBatch: number
  private lastPruneMs = Number.NEGATIVE_INFINITY

  constructor (init: ReplayWindowInit) {
    this.store = init.store
    this.now = init.now
    this.skewMs = positiveInteger('skewMs', init.skewMs ?? DEFAULT_CLOCK_SKEW_MS)
    this.seqWindow = positiveInteger('seqWindow', init.seqWindow ?? DEFAULT_SEQ_WINDOW)
    this.pruneIntervalMs = positiveInteger('pruneIntervalMs', init.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS)
    this.pruneBatch = positiveInteger('pruneBatch', init.pruneBatch ?? DEFAULT_PRUNE_BATCH)
  }

  /**
   * Accepts and records `envelope`, or throws why not: `STALE`, `FUTURE`,
   * `REPLAYED` (sender reused a nonce) or `SEQ_OUT_OF_WINDOW` (seq at or below
   * highest − window, or already accepted). Nothing is recorded on refusal.
   *
   * @throws {ReplayError}
   */
  check (envelope: ReplayCheckedEnvelope): void {
    const now = this.now()
    const sender = envelope.from.peer
    if (envelope.timestampMs < now - this.skewMs) {
      throw new ReplayError('STALE', `envelope from ${sender} is ${now - envelope.timestampMs} ms old (skew ${this.skewMs} ms)`)
    }
    if (envelope.timestampMs > now + this.skewMs) {
      throw new ReplayError('FUTURE', `envelope from ${sender} is ${envelope.timestampMs - now} ms ahead (skew ${this.skewMs} ms)`)
    }
    this.maybePrune(now)
    const recipient = envelope.to.peer
    this.store.transaction(() => {
      if (this.store.hasNonce(sender, envelope.nonce)) {
        throw new ReplayError('REPLAYED', `${sender} already used this nonce`)
      }
      const window = acceptSeq(this.store.getSeqWindow(sender, recipient), envelope.seq, this.seqWindow)
      if (window == null) {
        throw new ReplayError('SEQ_OUT_OF_WINDOW', `seq ${envelope.seq} from ${sender} to ${recipient} is old or already seen`)
      }
      this.store.addNonce(sender, envelope.nonce, envelope.timestampMs)
      this.store.putSeqWindow(sender, recipient, window)
    })
  }

  /**
   * Forgets nonces whose envelopes the skew check refuses anyway, at most once
   * per interval and one bounded batch at a time; a full batch means more are
   * due, so the next check prunes again.
   */
  private maybePrune (now: number): void {
    if (now - this.lastPruneMs < this.pruneIntervalMs) return
    const deleted = this.store.pruneNonces(now - 2 * this.skewMs, this.pruneBatch)
    if (deleted < this.pruneBatch) this.lastPruneMs = now
  }
}

function positiveInteger (name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${value}`)
  return value
}
