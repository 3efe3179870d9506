import { existsSync } from 'node:fs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MIGRATIONS, StoreError, openDatabase } from '../../../src/store/index.js'
import type { Database, Migration } from '../../../src/store/index.js'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentmesh-store-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function pragma (db: Database, name: string): unknown {
  return Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0]
}

function tables (db: Database): string[] {
  return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all().map((row) => String(row.name))
}

function thrownStoreError (fn: () => unknown): StoreError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError)
    return err as StoreError
  }
  throw new Error('expected a throw')
}

const counters: Migration = { version: 1, name: 'counters', up: 'CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT' }

describe('openDatabase', () => {
  it('opens a file in WAL mode with synchronous=NORMAL, a busy timeout and foreign keys', () => {
    const path = join(dir, 'agentmesh.db')
    const db = openDatabase(path, { busyTimeoutMs: 1234 })
    expect(existsSync(path)).toBe(true)
    expect(pragma(db, 'journal_mode')).toBe('wal')
    expect(pragma(db, 'synchronous')).toBe(1) // NORMAL
    expect(pragma(db, 'busy_timeout')).toBe(1234)
    expect(pragma(db, 'foreign_keys')).toBe(1)
    db.close()
  })

  it('applies every migration once and records it', () => {
    const path = join(dir, 'agentmesh.db')
    let db = openDatabase(path, { now: () => 42 })
    expect(db.schemaVersion()).toBe(MIGRATIONS.length)
    expect(tables(db)).toEqual(expect.arrayContaining(['replay_nonces', 'replay_sequences', 'send_sequences', 'schema_version']))
    expect(db.prepare('SELECT version, name, applied_at_ms FROM schema_version WHERE version = 1').get())
      .toEqual({ version: 1, name: MIGRATIONS[0]!.name, applied_at_ms: 42 })
    db.close()
    // Reopening runs nothing again (CREATE TABLE would fail if it did).
    db = openDatabase(path)
    expect(db.schemaVersion()).toBe(MIGRATIONS.length)
    db.close()
  })

  it('applies only the migrations appended since the last open', () => {
    const path = join(dir, 'agentmesh.db')
    openDatabase(path, { migrations: [counters] }).close()
    const more: Migration = { version: 2, name: 'counter seed', up: "INSERT INTO counters VALUES ('a', 1)" }
    let db = openDatabase(path, { migrations: [counters, more] })
    db.close()
    db = openDatabase(path, { migrations: [counters, more] })
    expect(db.prepare('SELECT COUNT(*) AS n FROM counters').get()).toEqual({ n: 1 })
    db.close()
  })

  it('refuses a database written by a newer schema', () => {
    const path = join(dir, 'agentmesh.db')
    openDatabase(path, { migrations: [counters, { version: 2, name: 'later', up: 'SELECT 1' }] }).close()
    expect(thrownStoreError(() => openDatabase(path, { migrations: [counters] })).code).toBe('SCHEMA_TOO_NEW')
  })

  it('refuses a migration list with gaps', () => {
    const gap: Migration = { version: 3, name: 'gap', up: 'SELECT 1' }
    expect(thrownStoreError(() => openDatabase(':memory:', { migrations: [counters, gap] })).code).toBe('BAD_MIGRATIONS')
  })

  it('rolls a failing migration back entirely and keeps the cause', () => {
    const path = join(dir, 'agentmesh.db')
    const broken: Migration = { version: 2, name: 'broken', up: 'CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1)' }
    const err = thrownStoreError(() => openDatabase(path, { migrations: [counters, broken] }))
    expect(err.code).toBe('MIGRATION_FAILED')
    expect(String((err.cause as Error).message)).toMatch(/nowhere/)
    const db = openDatabase(path, { migrations: [counters] })
    expect(db.schemaVersion()).toBe(1)
    expect(tables(db)).not.toContain('half')
    db.close()
  })

  it('keeps the MIGRATIONS list numbered 1..n', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1))
  })
})

describe('Database.transaction', () => {
  let db: Database

  beforeEach(() => {
    db = openDatabase(':memory:', { migrations: [counters] })
  })

  afterEach(() => {
    db.close()
  })

  const count = (): number => Number(db.prepare('SELECT COUNT(*) AS n FROM counters').get()?.n)
  const insert = (name: string): void => { db.prepare('INSERT INTO counters VALUES (?, 0)').run(name) }

  it('commits what the callback wrote and returns its result', () => {
    expect(db.transaction(() => { insert('a'); insert('b'); return 'done' })).toBe('done')
    expect(count()).toBe(2)
  })

  it('rolls back everything when the callback throws', () => {
    expect(() => db.transaction(() => { insert('a'); throw new Error('boom') })).toThrow('boom')
    expect(count()).toBe(0)
  })

  it('nests as savepoints: an inner failure caught by the outer keeps the outer writes', () => {
    db.transaction(() => {
      insert('outer')
      expect(() => db.transaction(() => { insert('inner'); throw new Error('inner') })).toThrow('inner')
      db.transaction(() => { insert('inner2') })
    })
    expect(db.prepare('SELECT name FROM counters ORDER BY name').all().map((r) => r.name)).toEqual(['inner2', 'outer'])
  })

  it('refuses an async callback and rolls back its synchronous part', () => {
    const err = thrownStoreError(() => db.transaction(async () => { insert('a') }))
    expect(err.code).toBe('ASYNC_TRANSACTION')
    expect(count()).toBe(0)
    // The connection is usable afterwards.
    db.transaction(() => { insert('b') })
    expect(count()).toBe(1)
  })
})
