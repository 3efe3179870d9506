import { AgentmeshError } from '../errors.js'

/** Stable reasons of {@link AuditError}. */
export type AuditErrorCode =
  /** An option of the audit log is out of range. */
  | 'INVALID_OPTION'
  /** An entry cannot be recorded (a decision that is not `[a-z_]+`, a chain that is not JSON). */
  | 'INVALID_ENTRY'
  /** The record could not be chained onto the log even after re-reading its head. */
  | 'APPEND_FAILED'
  /** The database has no audit tables (written by an older agentmesh, or not a daemon database). */
  | 'NO_AUDIT_LOG'
  /** The database file cannot be opened. */
  | 'DATABASE_UNREADABLE'

/** A failure of the audit log itself (never a verification result: those are {@link VerifyReport}s). */
export class AuditError extends AgentmeshError {
  declare readonly code: AuditErrorCode
  constructor (code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}
