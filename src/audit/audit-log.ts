import type { StatementSync } from 'node:sqlite'
import canonicalize from 'canonicalize'
import type { Signer } from '../envelope/signer.js'
import type { Database } from '../store/database.js'
import {
  DECISION_PATTERN,
  DEFAULT_CHECKPOINT_EVERY,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  GENESIS_HASH,
  MAX_CHECKPOINT_EVERY
} from './constants.js'
import { AuditError } from './errors.js'
import { queryAudit } from './query.js'
import { bytesOf, chainHash, checkpointBytes, recordContent, RECORD_COLUMNS, TEXT_FIELDS, toAuditRecord, type ChainedRecord, type CheckpointFields } from './record.js'
import type { AuditEntry, AuditQuery, AuditRecord } from './types.js'

/** What the audit log logs about itself (never the records: those go to the database). */
export interface AuditLogger {
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

/** Options of {@link AuditLog}. */
export interface AuditLogInit {
  /** The daemon's database, with the audit migration applied. */
  db: Database
  /** Signs checkpoints: the daemon's key, whose peer ID verifies the log. */
  signer: Signer
  /** The clock records and checkpoints are stamped with (ms since the epoch). */
  now: () => number
  /** Sign a checkpoint after this many records. Default {@link DEFAULT_CHECKPOINT_EVERY}. */
  checkpointEvery?: number
  /** Sign a checkpoint this often while records come in (ms). Default {@link DEFAULT_CHECKPOINT_INTERVAL_MS}. */
  checkpointIntervalMs?: number
  /** Where problems of the log itself go (a rollback seen, a checkpoint that failed). Default: nowhere. */
  log?: AuditLogger
}

const SILENT: AuditLogger = { warn () {}, error () {} }

const INSERT_RECORD = `INSERT INTO audit_records (${RECORD_COLUMNS.join(', ')})
  SELECT ${RECORD_COLUMNS.map(() => '?').join(', ')}
  WHERE (? AND NOT EXISTS (SELECT 1 FROM audit_records)) OR (SELECT hash FROM audit_records WHERE seq = ?) = ?`

// Lands only on the record it names, and (unless told otherwise) only if the
// newest checkpoint is the one `count` was computed from.
const INSERT_CHECKPOINT = `INSERT INTO audit_checkpoints (seq, hash, time_ms, count, every, base, signature)
  SELECT ?, ?, ?, ?, ?, ?, ?
  WHERE (SELECT hash FROM audit_records WHERE seq = ?) = ?
    AND (? OR COALESCE((SELECT MAX(seq) FROM audit_checkpoints), 0) = ?)`

/**
 * The daemon's tamper-evident audit log: every decision becomes a record in
 * SQLite, chained to the one before by SHA-256, and every `checkpointEvery`
 * records or `checkpointIntervalMs` the daemon signs a checkpoint over the
 * newest hash. {@link verifyAuditDatabase} and {@link verifyAuditExport}
 * check it with nothing but the daemon's peer ID.
 *
 * The head of the chain (last seq and hash) is kept in memory, so an append is
 * one prepared INSERT and one SHA-256. The INSERT only lands if the record it
 * chains onto is still there (a point lookup by primary key inside the same
 * statement): when a caller's transaction rolled back records this object
 * had appended, the head is re-read and the append retried, so a rollback
 * never leaves a gap in the chain. The daemon must be the only writer.
 *
 * The first checkpoint is signed right after the first record, so a log with
 * more than one record and no checkpoint is always a tampered one.
 */
export class AuditLog {
  private readonly db: Database
  private readonly signer: Signer
  private readonly now: () => number
  private readonly every: number
  private readonly intervalMs: number
  private readonly log: AuditLogger
  private readonly insertRecord: StatementSync
  private readonly insertCheckpoint: StatementSync
  /** Seq and hash of the newest record (or of the pruning checkpoint, or 0 and zeros). */
  private headSeq = 0
  private headHash: Buffer = GENESIS_HASH
  /** True when the table holds no record: the next one chains onto the head without a lookup. */
  private empty = true
  /** Seq and interval of the newest checkpoint (0 and undefined when there is none). */
  private checkpointSeq = 0
  private checkpointEveryThen: number | undefined
  private timer: ReturnType<typeof setInterval> | undefined

  constructor (init: AuditLogInit) {
    this.db = init.db
    this.signer = init.signer
    this.now = init.now
    this.every = checkInteger(init.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY, 'checkpointEvery', MAX_CHECKPOINT_EVERY)
    this.intervalMs = checkInteger(init.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS, 'checkpointIntervalMs', 2 ** 31 - 1)
    this.log = init.log ?? SILENT
    this.insertRecord = this.db.prepare(INSERT_RECORD)
    this.insertCheckpoint = this.db.prepare(INSERT_CHECKPOINT)
    this.reload()
  }

  /**
   * Appends one record, synchronously. Inside the caller's open transaction
   * (db.transaction nests as savepoints) it commits or rolls back with the
   * decision it records. Signs a checkpoint when one is due.
   *
   * @throws {AuditError} `INVALID_ENTRY` for a decision that is not `[a-z_]+` or a non-text field; `APPEND_FAILED`
   */
  append (entry: AuditEntry): AuditRecord {
    checkEntry(entry)
    const chain = entry.chain === undefined || entry.chain === null ? null : canonicalChain(entry.chain)
    // Records a crash left unsigned (at most one interval's worth) are signed
    // before the log grows past what the last checkpoint promised.
    if (this.headSeq - this.checkpointSeq >= this.threshold()) this.safeCheckpoint()
    let record = unlessConflict(() => this.write(entry, chain))
    if (record === undefined) {
      // The head in memory is not the database's: a transaction rolled back
      // records (or a pruning) this object had made.
      this.log.warn({ seq: this.headSeq }, 'audit records were rolled back; re-reading the head of the log')
      this.reload()
      try {
        record = this.write(entry, chain)
      } catch (err) {
        throw new AuditError('APPEND_FAILED', `cannot append audit record ${this.headSeq + 1}`, { cause: err })
      }
      if (record === undefined) throw new AuditError('APPEND_FAILED', `cannot chain audit record ${this.headSeq + 1} onto the log`)
    }
    // A failed checkpoint does not undo the record: the next append tries again.
    if (this.headSeq - this.checkpointSeq >= this.threshold()) this.safeCheckpoint()
    return record
  }

  /** Signs a checkpoint over the newest record, if any were appended since the last one. */
  checkpoint (): void {
    if (this.headSeq <= this.checkpointSeq) return
    if (unlessConflict(() => this.writeCheckpoint(false)) === true) return
    this.reload()
    if (this.headSeq > this.checkpointSeq && !this.writeCheckpoint(false)) {
      throw new AuditError('APPEND_FAILED', `cannot sign an audit checkpoint at seq ${this.headSeq}`)
    }
  }

  /** Starts the periodic checkpoint timer, after covering what a crash may have left unsigned. */
  start (): void {
    if (this.timer !== undefined) return
    this.safeCheckpoint()
    this.timer = setInterval(() => { this.safeCheckpoint() }, this.intervalMs)
    this.timer.unref()
  }

  /** Stops the timer and signs a final checkpoint. */
  stop (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    this.safeCheckpoint()
  }

  /** Records matching `filter`, oldest first (see {@link queryAudit}). */
  query (filter: AuditQuery = {}): AuditRecord[] {
    return queryAudit(this.db, filter)
  }

  /**
   * Retention: deletes the records appended before `beforeMs` (ms since the
   * epoch) — the longest prefix of the log that is older, so the chain stays
   * whole — and replaces them by a signed base checkpoint on the last one
   * removed, from which verification starts. Returns how many were removed.
   * Call it on its own, not inside a transaction that may roll back.
   */
  prune (beforeMs: number): number {
    const removed = this.db.transaction(() => {
      this.reload()
      const bounds = this.db.prepare('SELECT MIN(seq) AS first FROM audit_records').get()
      if (bounds?.first == null) return 0
      const first = Number(bounds.first)
      const keep = this.db.prepare('SELECT seq FROM audit_records WHERE time_ms >= ? ORDER BY seq LIMIT 1').get(Math.trunc(beforeMs))
      const last = keep === undefined ? this.headSeq : Number(keep.seq) - 1
      if (last < first) return 0
      const row = this.db.prepare('SELECT hash FROM audit_records WHERE seq = ?').get(last)
      const hash = bytesOf(row?.hash)
      this.db.prepare('DELETE FROM audit_checkpoints WHERE seq <= ?').run(last)
      const base: CheckpointFields = { seq: last, hash: hash.toString('hex'), timeMs: Math.trunc(this.now()), count: last - first + 1, every: this.every, base: true }
      this.insertSigned(base, hash, undefined)
      const deleted = this.db.prepare('DELETE FROM audit_records WHERE seq <= ?').run(last)
      return Number(deleted.changes)
    })
    this.reload()
    return removed
  }

  private write (entry: AuditEntry, chain: string | null): AuditRecord | undefined {
    const r: ChainedRecord = {
      seq: this.headSeq + 1,
      timeMs: Math.trunc(this.now()),
      decision: entry.decision,
      reason: entry.reason ?? null,
      rule: entry.rule ?? null,
      fromAgent: entry.fromAgent ?? null,
      fromPeer: entry.fromPeer ?? null,
      toAgent: entry.toAgent ?? null,
      toPeer: entry.toPeer ?? null,
      envelopeHash: entry.envelopeHash ?? null,
      taskId: entry.taskId ?? null,
      traceId: entry.traceId ?? null,
      detail: entry.detail ?? null,
      chain,
      prevHash: this.headHash,
      hash: GENESIS_HASH
    }
    r.hash = chainHash(r.prevHash, recordContent(r))
    const result = this.insertRecord.run(
      r.seq, r.timeMs, r.decision, r.reason, r.rule, r.fromAgent, r.fromPeer, r.toAgent, r.toPeer,
      r.envelopeHash, r.taskId, r.traceId, r.detail, r.chain, r.prevHash, r.hash,
      this.empty ? 1 : 0, this.headSeq, this.headHash
    )
    if (Number(result.changes) !== 1) return undefined
    this.headSeq = r.seq
    this.headHash = r.hash
    this.empty = false
    return toAuditRecord(r, entry.chain)
  }

  private writeCheckpoint (base: boolean): boolean {
    const fields: CheckpointFields = {
      seq: this.headSeq,
      hash: this.headHash.toString('hex'),
      timeMs: Math.trunc(this.now()),
      count: this.headSeq - this.checkpointSeq,
      every: this.every,
      base
    }
    if (!this.insertSigned(fields, this.headHash, this.checkpointSeq)) return false
    this.checkpointSeq = fields.seq
    this.checkpointEveryThen = fields.every
    return true
  }

  /**
   * Inserts a signed checkpoint if record `fields.seq` has hash `hash` and
   * the newest checkpoint is at `after` (any, when undefined); false if not.
   */
  private insertSigned (fields: CheckpointFields, hash: Buffer, after: number | undefined): boolean {
    const signature = this.signer.sign(checkpointBytes(fields))
    const result = this.insertCheckpoint.run(fields.seq, hash, fields.timeMs, fields.count, fields.every, fields.base ? 1 : 0, signature,
      fields.seq, hash, after === undefined ? 1 : 0, after ?? 0)
    return Number(result.changes) === 1
  }

  private safeCheckpoint (): void {
    try {
      this.checkpoint()
    } catch (err) {
      this.log.error({ err, seq: this.headSeq }, 'cannot sign an audit checkpoint')
    }
  }

  /**
   * Records are due a checkpoint after `every`, or after the interval of the
   * newest checkpoint if that was smaller (a daemon restarted with a larger
   * interval keeps the promise its last checkpoint made), or after the very
   * first record when there is no checkpoint at all.
   */
  private threshold (): number {
    if (this.checkpointEveryThen === undefined) return 1
    return Math.min(this.every, this.checkpointEveryThen)
  }

  /** Reads the head of the chain and the newest checkpoint from the database. */
  private reload (): void {
    const last = this.db.prepare('SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1').get()
    const cp = this.db.prepare('SELECT seq, hash, every FROM audit_checkpoints ORDER BY seq DESC LIMIT 1').get()
    this.empty = last === undefined
    if (last !== undefined) {
      this.headSeq = Number(last.seq)
      this.headHash = bytesOf(last.hash)
    } else if (cp !== undefined) {
      // Everything was pruned: the chain goes on from the base checkpoint.
      this.headSeq = Number(cp.seq)
      this.headHash = bytesOf(cp.hash)
    } else {
      this.headSeq = 0
      this.headHash = GENESIS_HASH
    }
    this.checkpointSeq = cp === undefined ? 0 : Number(cp.seq)
    this.checkpointEveryThen = cp === undefined ? undefined : Number(cp.every)
  }
}

/** `fn()`, or undefined when it fails on a uniqueness constraint (the in-memory head is stale). */
function unlessConflict<T> (fn: () => T): T | undefined {
  try {
    return fn()
  } catch (err) {
    // SQLITE_CONSTRAINT is 19; node:sqlite reports the extended code in errcode.
    if (((err as { errcode?: number }).errcode ?? 0) % 256 === 19) return undefined
    throw err
  }
}

function checkInteger (value: number, name: string, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new AuditError('INVALID_OPTION', `${name} must be a whole number from 1 to ${max}, not ${value}`)
  }
  return value
}

function checkEntry (entry: AuditEntry): void {
  if (typeof entry.decision !== 'string' || !DECISION_PATTERN.test(entry.decision)) {
    throw new AuditError('INVALID_ENTRY', `an audit decision is lower-case words joined by _, not ${JSON.stringify(entry.decision)}`)
  }
  for (const [field] of TEXT_FIELDS) {
    const value = entry[field]
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new AuditError('INVALID_ENTRY', `audit field ${field} must be text, not ${typeof value}`)
    }
  }
}

function canonicalChain (chain: unknown): string {
  try {
    const text = canonicalize(chain)
    if (text !== undefined) return text
  } catch (err) {
    throw new AuditError('INVALID_ENTRY', 'the delegation chain of an audit entry is not JSON', { cause: err })
  }
  throw new AuditError('INVALID_ENTRY', 'the delegation chain of an audit entry is not JSON')
}
