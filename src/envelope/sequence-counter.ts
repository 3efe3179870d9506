import { DEFAULT_SEQ_BLOCK_SIZE } from './constants.js'

/** Persistence of the sending side's sequence numbers. */
export interface SequenceStore {
  /**
   * Atomically reserves the next `count` numbers for `recipient` and returns
   * the first; the block is [first, first + count). The first block starts at 1.
   */
  reserve(recipient: string, count: number): number
}

/** Options of {@link SequenceCounter}. */
export interface SequenceCounterInit {
  /** Where reservations persist. */
  store: SequenceStore
  /** Numbers reserved per store write. Default {@link DEFAULT_SEQ_BLOCK_SIZE}. */
  blockSize?: number
}

/**
 * Hands out the `seq` of outgoing envelopes: strictly increasing per recipient
 * peer, across restarts too. Numbers come from memory; the store is written once
 * per block, and a restart skips what was left of the block.
 */
export class SequenceCounter {
  private readonly store: SequenceStore
  private readonly blockSize: number
  private readonly blocks = new Map<string, { next: number, end: number }>()

  constructor (init: SequenceCounterInit) {
    this.store = init.store
    this.blockSize = init.blockSize ?? DEFAULT_SEQ_BLOCK_SIZE
    if (!Number.isSafeInteger(this.blockSize) || this.blockSize < 1) {
      throw new RangeError(`blockSize must be a positive integer, not ${this.blockSize}`)
    }
  }

  /** The next sequence number for envelopes to `recipientPeer` (1 or more). */
  next (recipientPeer: string): number {
    let block = this.blocks.get(recipientPeer)
    if (block == null || block.next >= block.end) {
      const first = this.store.reserve(recipientPeer, this.blockSize)
      block = { next: first, end: first + this.blockSize }
      this.blocks.set(recipientPeer, block)
    }
    return block.next++
  }
}
