import { DEFAULT_SEQ_BLOCK_SIZE } from './constants.js'

/** Persistence of the sending side's sequence numbers. */
export interface SequenceStore {
  /**
   * Atomically reserves the next `count` numbers for `recipient` and returns
   * the first; the block is [first, first + count). The first block starts at 1.
   */
  reserve(recipient: string, count: number, floor?: number): number
}

/** Options of {@link SequenceCounter}. */
export interface SequenceCounterInit {
  /** Where reservations persist. */
  store: SequenceStore
  /** Numbers reserved per store write. Default {@link DEFAULT_SEQ_BLOCK_SIZE}. */
  blockSize?: number
  /**
   * The clock (ms). When given, each new block starts no lower than
   * `now() * 1000`, so a daemon whose database was restored from a backup (or
   * lost) still sends numbers above everything it sent before, as long as it
   * sends fewer than a thousand envelopes per millisecond per recipient.
   */
  now?: () => number
}

/**
 * Hands out the `seq` of outgoing envelopes: strictly increasing per recipient
 * peer, across restarts too. Numbers come from memory; the store is written once
 * per block, and a restart skips what was left of the block.
 */
export class SequenceCounter {
  private readonly store: SequenceStore
  private readonly blockSize: number
  private readonly now: (() => number) | undefined
  private readonly blocks = new Map<string, { next: number, end: number }>()

  constructor (init: SequenceCounterInit) {
    this.store = init.store
    this.blockSize = init.blockSize ?? DEFAULT_SEQ_BLOCK_SIZE
    this.now = init.now
    if (!Number.isSafeInteger(this.blockSize) || this.blockSize < 1) {
      throw new RangeError(`blockSize must be a positive integer, not ${this.blockSize}`)
    }
  }

  /** The next sequence number for envelopes to `recipientPeer` (1 or more). */
  next (recipientPeer: string): number {
    let block = this.blocks.get(recipientPeer)
    if (block == null || block.next >= block.end) {
      const first = this.store.reserve(recipientPeer, this.blockSize, this.now == null ? 0 : Math.floor(this.now()) * 1000)
      block = { next: first, end: first + this.blockSize }
      this.blocks.set(recipientPeer, block)
    }
    return block.next++
  }
}
