/** Stable reasons for {@link StoreError}. */
export type StoreErrorCode =
  /** The database was written by a newer agentmesh: its schema version is above every known migration. */
  | 'SCHEMA_TOO_NEW'
  /** The migration list is not numbered 1, 2, 3, … without gaps. */
  | 'BAD_MIGRATIONS'
  /** A migration's SQL failed; the database stays at the previous version. */
  | 'MIGRATION_FAILED'
  /** A transaction callback returned a promise; transactions are synchronous. */
  | 'ASYNC_TRANSACTION'

/** A failure of the embedded database layer; `cause` keeps the SQLite error when there is one. */
export class StoreError extends Error {
  override readonly name = 'StoreError'
  /** Stable reason, safe to compare and to report. */
  readonly code: StoreErrorCode

  constructor (code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}
