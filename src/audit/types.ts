import type { StatementSync } from 'node:sqlite'

/** One decision, as callers hand it to {@link AuditLog.append}. Absent fields are stored as NULL. */
export interface AuditEntry {
  /**
   * What was decided: `sent`, `delivered`, `denied`, `replay`, `bad_signature`,
   * `bad_certificate`, `bad_chain`, `inspection_veto`, `delivery_failed`,
   * `peer_refused`, `reply_vetoed`, … (lower-case words joined by `_`).
   */
  decision: string
  /** The stable code of the reason, e.g. `POLICY_DENIED`, `REPLAYED`. */
  reason?: string
  /** The policy rule that decided, if one did. */
  rule?: string
  fromAgent?: string
  fromPeer?: string
  toAgent?: string
  toPeer?: string
  /** The delegation chain as JSON (one object per link); stored as RFC 8785 canonical JSON text. */
  chain?: unknown
  /** Hex SHA-256 of the envelope's bytes. */
  envelopeHash?: string
  /** Hex task (envelope) id. */
  taskId?: string
  traceId?: string
  /** Short human text. */
  detail?: string
}

/** A stored record: the entry, its place in the log and its link in the hash chain. */
export interface AuditRecord extends AuditEntry {
  /** 1 for the first record ever appended, then consecutive (pruning keeps the numbers). */
  seq: number
  /** When it was appended, by the log's clock (ms since the epoch). */
  timeMs: number
  /** Hex hash of the record before (or of the pruning checkpoint; 64 zeros for seq 1). */
  prevHash: string
  /** Hex SHA-256 of `prevHash` bytes followed by the canonical JSON of this record's content. */
  hash: string
}

/** A signed statement of the daemon: "the log's record `seq` has hash `hash`". */
export interface AuditCheckpoint {
  /** The seq of the last record it covers. */
  seq: number
  /** Hex hash of that record. */
  hash: string
  timeMs: number
  /** Records added since the checkpoint before it (for a pruning checkpoint: records pruned). */
  count: number
  /** The daemon's checkpoint interval when it signed: no more than this many records go unsigned. */
  every: number
  /** True for the checkpoint that stands in for records removed by {@link AuditLog.prune}. */
  base: boolean
  /** Hex Ed25519 signature by the daemon's key over {@link CHECKPOINT_DOMAIN} + canonical JSON of the fields above. */
  signature: string
}

/** What {@link AuditLog.query} and {@link queryAudit} select. Every field narrows; none means all. */
export interface AuditQuery {
  /** Records from or to this agent: `name`, or `name@peer` for one host's agent. */
  agent?: string
  /** Records appended at or after this time (ms since the epoch). */
  since?: number
  decision?: string
  /** At most this many: the newest ones, still returned oldest first. */
  limit?: number
}

/** What a verification found wrong with the first bad record. */
export type VerifyProblem =
  /** A record's content (or its own hash) was changed. */
  | 'edited'
  /** Records are missing: a gap in seq, a predecessor that is gone, or a checkpoint past the end. */
  | 'deleted'
  /** A record is in the log that the chain does not lead to. */
  | 'inserted'
  /** Records are intact but in the wrong places (seq or content swapped). */
  | 'reordered'
  /** A checkpoint's signature is bad or it no longer matches the chain (hashes were recomputed). */
  | 'bad_checkpoint'
  /** More records are unsigned than the daemon ever leaves: checkpoints were deleted. */
  | 'missing_checkpoint'
  /** An export line that is not a record or checkpoint of this format. */
  | 'malformed'
  /** An export made for another peer than the one asked for. */
  | 'wrong_peer'

/** Something to know that does not make the log fail. */
export interface VerifyWarning {
  /** `unsigned_tail`: records after the last checkpoint; `missing_checkpoint`: a checkpoint between two good ones is gone. */
  kind: 'unsigned_tail' | 'missing_checkpoint'
  seq: number
  message: string
}

/** The outcome of {@link verifyAuditDatabase} and {@link verifyAuditExport}. */
export interface VerifyReport {
  /** True when the chain, every checkpoint and the coverage rules hold. */
  ok: boolean
  /** The peer ID whose key the checkpoints were checked against. */
  peer: string
  /** Records read (up to the first bad one when not ok). */
  records: number
  /** Checkpoints whose signature and hash were checked. */
  checkpoints: number
  /** Seq of the first and last record in the log (absent when it is empty). */
  firstSeq?: number
  lastSeq?: number
  /** The newest good checkpoint: compare it with one kept elsewhere to detect a truncated or rolled-back log. */
  lastCheckpoint?: { seq: number, hash: string, timeMs: number }
  /** Records after the last checkpoint: checked for consistency only, not yet covered by a signature. */
  unsigned: number
  /** The first bad record and what happened to it. */
  firstBad?: { seq: number, problem: VerifyProblem, message: string }
  warnings: VerifyWarning[]
}

/** Anything that compiles SQL: the store's `Database` or a plain (read-only) `DatabaseSync`. */
export interface Queryable {
  prepare(sql: string): StatementSync
}
