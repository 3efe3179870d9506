import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SequenceCounter } from '../../../src/envelope/index.js'
import type { SequenceStore } from '../../../src/envelope/index.js'
import { createSqliteSequenceStore, openDatabase } from '../../../src/store/index.js'
import { tempDir } from './helpers.js'

const BOB = '12D3KooWBob'
const CAROL = '12D3KooWCarol'

describe('SequenceCounter', () => {
  it('counts up from 1 per recipient, writing once per block', () => {
    const db = openDatabase(':memory:')
    const sqlite = createSqliteSequenceStore(db)
    let writes = 0
    const store: SequenceStore = { reserve: (r, n) => { writes++; return sqlite.reserve(r, n) } }
    const counter = new SequenceCounter({ store, blockSize: 10 })
    const bob = Array.from({ length: 25 }, () => counter.next(BOB))
    expect(bob).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
    expect(counter.next(CAROL)).toBe(1)
    expect(writes).toBe(3 + 1)
    db.close()
  })

  it('stays strictly increasing across restarts', () => {
    const dir = tempDir()
    try {
      const path = join(dir.path, 'agentmesh.db')
      let last = 0
      for (let restart = 0; restart < 4; restart++) {
        const db = openDatabase(path)
        const counter = new SequenceCounter({ store: createSqliteSequenceStore(db), blockSize: 1000 })
        for (let i = 0; i < 3 + restart * 700; i++) {
          const seq = counter.next(BOB)
          expect(seq).toBeGreaterThan(last)
          last = seq
        }
        db.close()
      }
      // Each restart skipped the rest of its block.
      expect(last).toBeGreaterThan(3 * 1000)
    } finally {
      dir.remove()
    }
  })

  it('rejects a block size below 1', () => {
    const db = openDatabase(':memory:')
    expect(() => new SequenceCounter({ store: createSqliteSequenceStore(db), blockSize: 0 })).toThrow(RangeError)
    db.close()
  })
})

describe('SequenceCounter with a clock floor', () => {
  it('keeps rising after the database is lost or restored from an older copy', () => {
    let t = 1_700_000_000_000
    const first = new SequenceCounter({ store: createSqliteSequenceStore(openDatabase(':memory:')), now: () => t })
    const a = first.next('peer')
    const b = first.next('peer')
    expect(b).toBe(a + 1)
    t += 5
    // A fresh database (the old state is gone) must not hand out lower numbers.
    const restored = new SequenceCounter({ store: createSqliteSequenceStore(openDatabase(':memory:')), now: () => t })
    expect(restored.next('peer')).toBeGreaterThan(b)
  })
})
