import { existsSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { AuditError } from './errors.js'

/**
 * Runs `fn` on a read-only connection to the database file at `path`, inside
 * one read transaction so that everything it reads is one snapshot, even
 * while the daemon keeps appending (WAL lets readers and the writer work at
 * once). Works with the daemon stopped too, also after it was killed.
 *
 * @throws {AuditError} `DATABASE_UNREADABLE` when the file is missing or is not a database
 */
export function withDatabaseFile<T> (path: string, fn: (db: DatabaseSync) => T): T {
  if (!existsSync(path)) throw new AuditError('DATABASE_UNREADABLE', `there is no database at ${path} (has a daemon run with this home?)`)
  let db: DatabaseSync
  try {
    db = new DatabaseSync(path, { readOnly: true })
  } catch (err) {
    throw new AuditError('DATABASE_UNREADABLE', `cannot open the database ${path}: ${(err as Error).message}`, { cause: err })
  }
  try {
    db.exec('BEGIN')
    return fn(db)
  } finally {
    if (db.isOpen) {
      try { db.exec('ROLLBACK') } catch {}
      db.close()
    }
  }
}
