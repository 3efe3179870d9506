import { AuditError } from './errors.js'
import { recordFromRow, RECORD_COLUMNS, toAuditRecord } from './record.js'
import type { AuditQuery, AuditRecord, Queryable } from './types.js'

/**
 * Records matching `filter`, oldest first; with `limit`, the newest `limit`
 * of them. Works on the daemon's `Database` or on a read-only `DatabaseSync`
 * of the same file (the CLI's way, daemon running or not).
 *
 * @throws {AuditError} `NO_AUDIT_LOG` when the database has no audit table
 */
export function queryAudit (db: Queryable, filter: AuditQuery = {}): AuditRecord[] {
  requireAuditTables(db)
  const where: string[] = []
  const params: Array<string | number> = []
  if (filter.agent !== undefined) {
    const at = filter.agent.lastIndexOf('@')
    if (at > 0) {
      const name = filter.agent.slice(0, at)
      const peer = filter.agent.slice(at + 1)
      where.push('((from_agent = ? AND from_peer = ?) OR (to_agent = ? AND to_peer = ?))')
      params.push(name, peer, name, peer)
    } else {
      where.push('(from_agent = ? OR to_agent = ?)')
      params.push(filter.agent, filter.agent)
    }
  }
  if (filter.since !== undefined) {
    where.push('time_ms >= ?')
    params.push(Math.trunc(filter.since))
  }
  if (filter.decision !== undefined) {
    where.push('decision = ?')
    params.push(filter.decision)
  }
  const limit = filter.limit === undefined ? -1 : Math.max(0, Math.trunc(filter.limit))
  // Newest first with the limit, so a recent query stops early on a long log; then back to oldest first.
  const sql = `SELECT * FROM (SELECT ${RECORD_COLUMNS.join(', ')} FROM audit_records` +
    `${where.length > 0 ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ?) ORDER BY seq`
  return db.prepare(sql).all(...params, limit).map((row) => toAuditRecord(recordFromRow(row)))
}

/** @throws {AuditError} `NO_AUDIT_LOG` unless both audit tables exist */
export function requireAuditTables (db: Queryable): void {
  const row = db.prepare("SELECT COUNT(*) AS n FROM sqlite_schema WHERE type = 'table' AND name IN ('audit_records', 'audit_checkpoints')").get()
  if (Number(row?.n) !== 2) {
    throw new AuditError('NO_AUDIT_LOG', 'this database has no audit log (it was written by an agentmesh without one; start the daemon once to add it)')
  }
}
