/**
 * The tamper-evident audit log: every decision of the daemon (task sent,
 * delivered, denied and by which rule, replay, bad signature, …) is an
 * append-only record in the daemon's SQLite database, hash-chained to the one
 * before, with checkpoints signed by the daemon's Ed25519 key. Anyone holding
 * only the daemon's peer ID can verify a database or an export, and learns
 * the first bad record and what happened to it (see classify.ts for what can
 * and cannot be told apart).
 *
 * @example
 * ```ts
 * const audit = new AuditLog({ db, signer, now: Date.now, log })
 * audit.start()
 * db.transaction(() => {
 *   inbox.put(task)
 *   audit.append({ decision: 'delivered', fromAgent, fromPeer, toAgent, toPeer, taskId, chain })
 * })
 * // elsewhere, with the daemon running or not:
 * const report = verifyAuditDatabase(homePaths(home).database, peerId)
 * if (!report.ok) console.log(report.firstBad) // { seq: 17, problem: 'edited', message: … }
 * ```
 */
import type { AuditLog } from './audit-log.js'

export * from './constants.js'
export { AuditError } from './errors.js'
export type { AuditErrorCode } from './errors.js'
export { AuditLog } from './audit-log.js'
export type { AuditLogger, AuditLogInit } from './audit-log.js'
export { queryAudit } from './query.js'
export { exportAudit, exportAuditLines, verifyAuditDatabase, verifyAuditExport } from './export.js'
export type { ExportHeader } from './export.js'
export { withDatabaseFile } from './database-file.js'
export type {
  AuditCheckpoint,
  AuditEntry,
  AuditQuery,
  AuditRecord,
  Queryable,
  VerifyProblem,
  VerifyReport,
  VerifyWarning
} from './types.js'

/** What a module that makes decisions needs of the audit log. */
export type AuditSink = Pick<AuditLog, 'append'>
export { decisionFor, traceIdOf } from './decisions.js'
