import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createSqliteReplayStore, createSqliteSequenceStore, openDatabase } from '../../../src/store/index.js'

const nonce = (n: number): Uint8Array => new Uint8Array(16).fill(n)

describe('createSqliteReplayStore', () => {
  it('stores nonces per sender and prunes by timestamp, oldest first, up to the limit', () => {
    const db = openDatabase(':memory:')
    const store = createSqliteReplayStore(db)
    store.addNonce('A', nonce(1), 100)
    store.addNonce('A', nonce(2), 300)
    store.addNonce('B', nonce(1), 200)
    expect(store.hasNonce('A', nonce(1))).toBe(true)
    expect(store.hasNonce('A', nonce(3))).toBe(false)
    expect(store.hasNonce('C', nonce(1))).toBe(false)
    expect(store.pruneNonces(301, 2)).toBe(2)
    expect(store.hasNonce('A', nonce(1))).toBe(false)
    expect(store.hasNonce('B', nonce(1))).toBe(false)
    expect(store.hasNonce('A', nonce(2))).toBe(true)
    expect(store.pruneNonces(300, 10)).toBe(0)
    db.close()
  })

  it('refuses to record the same (sender, nonce) twice', () => {
    const db = openDatabase(':memory:')
    const store = createSqliteReplayStore(db)
    store.addNonce('A', nonce(1), 100)
    expect(() => store.addNonce('A', nonce(1), 101)).toThrow(/UNIQUE/)
    db.close()
  })

  it('round-trips sequence windows through a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentmesh-store-'))
    try {
      const path = join(dir, 'agentmesh.db')
      let db = openDatabase(path)
      createSqliteReplayStore(db).putSeqWindow('A', 'B', { highest: 2 ** 40, bitmap: new Uint8Array([5, 0, 128]) })
      db.close()
      db = openDatabase(path)
      const store = createSqliteReplayStore(db)
      expect(store.getSeqWindow('A', 'B')).toEqual({ highest: 2 ** 40, bitmap: new Uint8Array([5, 0, 128]) })
      expect(store.getSeqWindow('B', 'A')).toBeUndefined()
      store.putSeqWindow('A', 'B', { highest: 7, bitmap: new Uint8Array([1]) })
      expect(store.getSeqWindow('A', 'B')).toEqual({ highest: 7, bitmap: new Uint8Array([1]) })
      db.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('createSqliteSequenceStore', () => {
  it('reserves consecutive blocks per recipient, starting at 1', () => {
    const db = openDatabase(':memory:')
    const store = createSqliteSequenceStore(db)
    expect(store.reserve('B', 10)).toBe(1)
    expect(store.reserve('B', 10)).toBe(11)
    expect(store.reserve('C', 5)).toBe(1)
    expect(store.reserve('B', 1)).toBe(21)
    db.close()
  })
})
