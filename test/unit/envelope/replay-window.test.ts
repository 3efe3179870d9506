import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { ReplayError, ReplayWindow, newNonce } from '../../../src/envelope/index.js'
import type { ReplayCheckedEnvelope, ReplayErrorCode, ReplayStore } from '../../../src/envelope/index.js'
import { createSqliteReplayStore, openDatabase } from '../../../src/store/index.js'
import type { Database } from '../../../src/store/index.js'
import { manualClock, tempDir, thrown } from './helpers.js'

const ALICE = '12D3KooWGUraEL3WXkxQVyJtvadiE7KX9QUjPvBSzDQQqrWdgr6P'
const BOB = '12D3KooWBob'
const CAROL = '12D3KooWCarol'

let db: Database
let clock: ReturnType<typeof manualClock>
let seqCounter = 0

beforeEach(() => {
  db = openDatabase(':memory:')
  clock = manualClock()
  seqCounter = 0
})

afterEach(() => {
  db.close()
})

function window (overrides: Partial<ConstructorParameters<typeof ReplayWindow>[0]> = {}): ReplayWindow {
  return new ReplayWindow({ store: createSqliteReplayStore(db), now: clock.now, ...overrides })
}

function envelope (overrides: Partial<ReplayCheckedEnvelope> = {}): ReplayCheckedEnvelope {
  return {
    from: { peer: ALICE },
    to: { peer: BOB },
    timestampMs: clock.now(),
    nonce: newNonce(),
    seq: ++seqCounter,
    ...overrides
  }
}

function codeOf (fn: () => unknown): ReplayErrorCode {
  const err = thrown(fn)
  expect(err).toBeInstanceOf(ReplayError)
  return (err as ReplayError).code
}

function nonceCount (): number {
  return Number(db.prepare('SELECT COUNT(*) AS n FROM replay_nonces').get()?.n)
}

describe('ReplayWindow', () => {
  it('accepts fresh envelopes', () => {
    const w = window()
    for (let i = 0; i < 10; i++) w.check(envelope())
    expect(nonceCount()).toBe(10)
  })

  it('refuses timestamps beyond the skew either way, accepts the edges', () => {
    const w = window({ skewMs: 30_000 })
    expect(codeOf(() => w.check(envelope({ timestampMs: clock.now() - 30_001 })))).toBe('STALE')
    expect(codeOf(() => w.check(envelope({ timestampMs: clock.now() + 30_001 })))).toBe('FUTURE')
    w.check(envelope({ timestampMs: clock.now() - 30_000 }))
    w.check(envelope({ timestampMs: clock.now() + 30_000 }))
    // The same envelope goes stale when our clock moves on.
    const later = envelope()
    clock.advance(30_001)
    expect(codeOf(() => w.check(later))).toBe('STALE')
  })

  it('refuses a replayed nonce even with a new seq, and only from the same sender', () => {
    const w = window()
    const first = envelope()
    w.check(first)
    expect(codeOf(() => w.check(first))).toBe('REPLAYED')
    expect(codeOf(() => w.check({ ...first, seq: 1000 }))).toBe('REPLAYED')
    // Another sender may (by chance) use the same nonce.
    w.check({ ...first, from: { peer: CAROL } })
  })

  it('accepts out-of-order seqs within the window, refuses duplicates and seqs below it', () => {
    const w = window({ seqWindow: 16 })
    w.check(envelope({ seq: 100 }))
    w.check(envelope({ seq: 98 }))
    w.check(envelope({ seq: 101 }))
    w.check(envelope({ seq: 99 }))
    w.check(envelope({ seq: 86 })) // 101 - 86 = 15 < 16
    expect(codeOf(() => w.check(envelope({ seq: 85 })))).toBe('SEQ_OUT_OF_WINDOW') // 101 - 16
    expect(codeOf(() => w.check(envelope({ seq: 99 })))).toBe('SEQ_OUT_OF_WINDOW') // fresh nonce, same seq
    expect(codeOf(() => w.check(envelope({ seq: 1 })))).toBe('SEQ_OUT_OF_WINDOW')
  })

  it('keeps one sequence window per (sender, recipient) pair', () => {
    const w = window({ seqWindow: 4 })
    w.check(envelope({ seq: 50 }))
    w.check(envelope({ seq: 1, to: { peer: CAROL } }))
    w.check(envelope({ seq: 1, from: { peer: CAROL } }))
    expect(codeOf(() => w.check(envelope({ seq: 1 })))).toBe('SEQ_OUT_OF_WINDOW')
  })

  it('records nothing when it refuses', () => {
    const w = window({ seqWindow: 4 })
    w.check(envelope({ seq: 10 }))
    const refused = envelope({ seq: 2 })
    expect(codeOf(() => w.check(refused))).toBe('SEQ_OUT_OF_WINDOW')
    expect(nonceCount()).toBe(1)
    // Its nonce was not burnt: the same nonce with a good seq passes.
    w.check({ ...refused, seq: 11 })
  })

  it('is atomic: a failure after recording the nonce leaves no trace', () => {
    const sqlite = createSqliteReplayStore(db)
    const failing: ReplayStore = { ...sqlite, putSeqWindow: () => { throw new Error('disk full') } }
    const w = new ReplayWindow({ store: failing, now: clock.now })
    const e = envelope()
    expect(() => w.check(e)).toThrow('disk full')
    expect(nonceCount()).toBe(0)
    window().check(e)
  })

  it('still refuses a replay after the database is closed and reopened', () => {
    const dir = tempDir()
    try {
      const path = join(dir.path, 'agentmesh.db')
      let file = openDatabase(path)
      const e = envelope({ seq: 500 })
      new ReplayWindow({ store: createSqliteReplayStore(file), now: clock.now }).check(e)
      file.close()
      file = openDatabase(path)
      const w = new ReplayWindow({ store: createSqliteReplayStore(file), now: clock.now, seqWindow: 16 })
      expect(codeOf(() => w.check(e))).toBe('REPLAYED')
      expect(codeOf(() => w.check({ ...e, nonce: newNonce() }))).toBe('SEQ_OUT_OF_WINDOW')
      expect(codeOf(() => w.check({ ...e, nonce: newNonce(), seq: 484 }))).toBe('SEQ_OUT_OF_WINDOW')
      w.check({ ...e, nonce: newNonce(), seq: 499 })
      file.close()
    } finally {
      dir.remove()
    }
  })

  it('prunes nonces older than twice the skew, lazily and in bounded batches', () => {
    const w = window({ skewMs: 1_000, pruneIntervalMs: 500, pruneBatch: 2 })
    for (let i = 0; i < 5; i++) w.check(envelope())
    expect(nonceCount()).toBe(5)
    clock.advance(1_000)
    w.check(envelope()) // prunes, but nothing is below now - 2 × skew yet
    expect(nonceCount()).toBe(6)
    clock.advance(1_001)
    w.check(envelope()) // the first five are 2001 ms old. First batch: 2 deleted, batch full so next check prunes again
    expect(nonceCount()).toBe(5)
    w.check(envelope())
    expect(nonceCount()).toBe(4)
    w.check(envelope()) // last old one
    expect(nonceCount()).toBe(4)
    w.check(envelope()) // nothing left to prune and within the interval: no prune
    expect(nonceCount()).toBe(5)
  })

  it('rejects nonsensical settings', () => {
    expect(() => window({ skewMs: 0 })).toThrow(RangeError)
    expect(() => window({ seqWindow: 1.5 })).toThrow(RangeError)
  })
})
