import { DatabaseSync } from 'node:sqlite'
import type { StatementSync } from 'node:sqlite'
import { DEFAULT_BUSY_TIMEOUT_MS } from './constants.js'
import { StoreError } from './errors.js'
import { MIGRATIONS } from './migrations.js'
import type { Migration } from './migrations.js'

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** Wait this long for another connection's lock (ms). Default {@link DEFAULT_BUSY_TIMEOUT_MS}. */
  busyTimeoutMs?: number
  /** Schema steps to apply. Default {@link MIGRATIONS}; tests pass their own. */
  migrations?: readonly Migration[]
  /** Clock for the `applied_at_ms` column of `schema_version`. Default `Date.now`. */
  now?: () => number
}

/** An open database with the schema applied. */
export interface Database {
  /** The file it was opened from, or `:memory:`. */
  readonly path: string
  /** Compiles a statement; prepare once and keep it, not per call. */
  prepare(sql: string): StatementSync
  /** Runs SQL without results (several statements allowed). */
  exec(sql: string): void
  /**
   * Runs `fn` in a transaction: commits if it returns, rolls back and
   * rethrows if it throws. Nested calls become savepoints. `fn` must be
   * synchronous: a returned promise rolls back and throws `ASYNC_TRANSACTION`.
   */
  transaction<T>(fn: () => T): T
  /** The highest migration version applied. */
  schemaVersion(): number
  /** Closes the connection; the wrapper is unusable afterwards. */
  close(): void
}

/**
 * Opens (creating if needed) the SQLite database at `path` (`:memory:` for a
 * private in-memory one), sets WAL, `synchronous=NORMAL`, a busy timeout and
 * foreign keys, and applies the migrations it has not seen yet.
 *
 * @throws {StoreError} `SCHEMA_TOO_NEW`, `BAD_MIGRATIONS` or `MIGRATION_FAILED`
 */
export function openDatabase (path: string, options: OpenDatabaseOptions = {}): Database {
  const migrations = options.migrations ?? MIGRATIONS
  checkMigrationList(migrations)
  const db = new DatabaseSync(path)
  try {
    // journal_mode answers 'memory' for :memory: databases, which is fine.
    db.exec('PRAGMA journal_mode = WAL')
    db.exec('PRAGMA synchronous = NORMAL')
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS)}`)
    db.exec('PRAGMA foreign_keys = ON')
    const database = new SqliteDatabase(path, db)
    migrate(database, migrations, options.now ?? Date.now)
    return database
  } catch (err) {
    db.close()
    throw err
  }
}

class SqliteDatabase implements Database {
  readonly path: string
  private readonly db: DatabaseSync
  private depth = 0

  constructor (path: string, db: DatabaseSync) {
    this.path = path
    this.db = db
  }

  prepare (sql: string): StatementSync {
    return this.db.prepare(sql)
  }

  exec (sql: string): void {
    this.db.exec(sql)
  }

  transaction<T>(fn: () => T): T {
    const savepoint = `sp${this.depth}`
    // IMMEDIATE takes the write lock up front, so a read-then-write body cannot
    // fail half-way with SQLITE_BUSY when another connection writes.
    this.db.exec(this.depth === 0 ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${savepoint}`)
    this.depth++
    let result: T
    try {
      result = fn()
      if (result instanceof Promise) {
        // Let the rejection be handled here rather than surface as unhandled.
        result.catch(() => {})
        throw new StoreError('ASYNC_TRANSACTION', 'transaction callbacks must be synchronous')
      }
    } catch (err) {
      this.depth--
      this.db.exec(this.depth === 0 ? 'ROLLBACK' : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`)
      throw err
    }
    this.depth--
    this.db.exec(this.depth === 0 ? 'COMMIT' : `RELEASE ${savepoint}`)
    return result
  }

  schemaVersion (): number {
    const row = this.db.prepare('SELECT MAX(version) AS version FROM schema_version').get()
    return Number(row?.version ?? 0)
  }

  close (): void {
    this.db.close()
  }
}

function checkMigrationList (migrations: readonly Migration[]): void {
  migrations.forEach((migration, i) => {
    if (migration.version !== i + 1) {
      throw new StoreError('BAD_MIGRATIONS', `migration #${i} has version ${migration.version}, expected ${i + 1}`)
    }
  })
}

function migrate (database: Database, migrations: readonly Migration[], now: () => number): void {
  database.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at_ms INTEGER NOT NULL
  ) STRICT`)
  const current = database.schemaVersion()
  if (current > migrations.length) {
    throw new StoreError('SCHEMA_TOO_NEW',
      `database ${database.path} has schema version ${current}; this build knows up to ${migrations.length}`)
  }
  const record = database.prepare('INSERT INTO schema_version (version, name, applied_at_ms) VALUES (?, ?, ?)')
  for (const migration of migrations.slice(current)) {
    try {
      database.transaction(() => {
        // Another process may have applied it since we looked.
        if (database.schemaVersion() >= migration.version) return
        database.exec(migration.up)
        record.run(migration.version, migration.name, Math.trunc(now()))
      })
    } catch (err) {
      throw new StoreError('MIGRATION_FAILED',
        `migration ${migration.version} (${migration.name}) failed on ${database.path}`, { cause: err })
    }
  }
}
