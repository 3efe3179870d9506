import { describe, expect, it } from 'vitest'
import { acceptSeq } from '../../../src/envelope/index.js'
import type { SeqWindowState } from '../../../src/envelope/index.js'

/** The obvious model: remember every accepted seq. */
class NaiveWindow {
  private highest: number | undefined
  private readonly seen = new Set<number>()
  constructor (private readonly size: number) {}
  accept (seq: number): boolean {
    if (this.highest != null && (seq <= this.highest - this.size || this.seen.has(seq))) return false
    this.highest = Math.max(this.highest ?? seq, seq)
    this.seen.add(seq)
    return true
  }
}

/** A deterministic pseudo-random sequence (xorshift), so failures reproduce. */
function random (seed: number): () => number {
  let x = seed
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    return (x >>> 0) / 2 ** 32
  }
}

describe('acceptSeq', () => {
  it('accepts the first seq, then later and in-window earlier ones, once each', () => {
    let state = acceptSeq(undefined, 10, 8)!
    expect(state.highest).toBe(10)
    expect(acceptSeq(state, 10, 8)).toBeUndefined()
    state = acceptSeq(state, 12, 8)!
    state = acceptSeq(state, 11, 8)!
    expect(state.highest).toBe(12)
    expect(acceptSeq(state, 11, 8)).toBeUndefined()
    expect(acceptSeq(state, 5, 8)).toBeDefined() // 12 - 5 = 7 < 8
    expect(acceptSeq(state, 4, 8)).toBeUndefined() // 12 - 4 = 8: at the edge, out
  })

  it('does not modify the state it is given', () => {
    const state = acceptSeq(undefined, 1, 16)!
    const copy: SeqWindowState = { highest: state.highest, bitmap: state.bitmap.slice() }
    acceptSeq(state, 2, 16)
    acceptSeq(state, 0, 16)
    expect(state).toEqual(copy)
  })

  it('forgets everything when it jumps by the window size or more', () => {
    let state = acceptSeq(undefined, 1, 16)!
    state = acceptSeq(state, 1 + 16, 16)!
    expect(Array.from(state.bitmap)).toEqual([1, 0])
    expect(acceptSeq(state, 1, 16)).toBeUndefined()
    expect(acceptSeq(state, 2, 16)).toBeDefined()
  })

  it('adapts a stored bitmap of another window size', () => {
    const small = acceptSeq(acceptSeq(undefined, 100, 8)!, 99, 8)!
    const grown = acceptSeq(small, 50, 64)!
    expect(grown.bitmap.byteLength).toBe(8)
    expect(acceptSeq(grown, 99, 64)).toBeUndefined()
  })

  for (const size of [1, 7, 8, 13, 64, 1024]) {
    it(`agrees with a naive model on random traffic (window ${size})`, () => {
      const next = random(size * 7919)
      const model = new NaiveWindow(size)
      let state: SeqWindowState | undefined
      let base = 1000
      for (let i = 0; i < 5000; i++) {
        // Mostly near the top, sometimes far behind, sometimes a big jump ahead.
        const r = next()
        const seq = r < 0.05 ? base + Math.floor(next() * 3 * size) : Math.max(1, base - Math.floor(next() * 1.5 * size) + 2)
        const after = acceptSeq(state, seq, size)
        expect(after != null, `seq ${seq} at step ${i}`).toBe(model.accept(seq))
        if (after != null) {
          state = after
          base = Math.max(base, seq)
        }
      }
    })
  }
})
