import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'
import { CHECKPOINT_DOMAIN } from './constants.js'
import type { AuditCheckpoint, AuditEntry, AuditRecord } from './types.js'

/** The optional text fields of an entry, each with its column in `audit_records`. */
export const TEXT_FIELDS = [
  ['reason', 'reason'],
  ['rule', 'rule'],
  ['fromAgent', 'from_agent'],
  ['fromPeer', 'from_peer'],
  ['toAgent', 'to_agent'],
  ['toPeer', 'to_peer'],
  ['envelopeHash', 'envelope_hash'],
  ['taskId', 'task_id'],
  ['traceId', 'trace_id'],
  ['detail', 'detail']
] as const satisfies ReadonlyArray<readonly [keyof AuditEntry, string]>

/** Every column of `audit_records`, in the order the statements here use. */
export const RECORD_COLUMNS = ['seq', 'time_ms', 'decision', ...TEXT_FIELDS.map(([, column]) => column), 'chain', 'prev_hash', 'hash'] as const

/**
 * A record as it is hashed and stored: the content fields (absent ones
 * `null`), the chain as its canonical JSON text, and the raw hashes.
 */
export interface ChainedRecord {
  seq: number
  timeMs: number
  decision: string
  reason: string | null
  rule: string | null
  fromAgent: string | null
  fromPeer: string | null
  toAgent: string | null
  toPeer: string | null
  envelopeHash: string | null
  taskId: string | null
  traceId: string | null
  detail: string | null
  /** The delegation chain as canonical JSON text, exactly as stored and hashed. */
  chain: string | null
  prevHash: Buffer
  hash: Buffer
}

/** The fields a record's hash covers. */
export type HashedFields = Pick<ChainedRecord, 'seq' | 'timeMs' | 'decision' | 'reason' | 'rule' | 'fromAgent' | 'fromPeer' | 'toAgent' | 'toPeer' | 'envelopeHash' | 'taskId' | 'traceId' | 'detail' | 'chain'>

/**
 * The bytes a record's hash covers after the previous hash: RFC 8785
 * canonical JSON of its content fields, seq and timeMs included, absent
 * fields left out. Built with one `JSON.stringify` of an object whose keys are
 * written in RFC 8785 order (UTF-16 code units; all ASCII here), rather than
 * with `canonicalize`, because it runs on every append: for text and safe
 * integers — all a record holds; the chain is already canonical text — the
 * output is exactly RFC 8785 (a unit test holds the two together), and
 * `JSON.stringify` leaves out `undefined` like an absent field.
 */
export function recordContent (r: HashedFields): string {
  return JSON.stringify({
    chain: r.chain ?? undefined,
    decision: r.decision ?? undefined,
    detail: r.detail ?? undefined,
    envelopeHash: r.envelopeHash ?? undefined,
    fromAgent: r.fromAgent ?? undefined,
    fromPeer: r.fromPeer ?? undefined,
    reason: r.reason ?? undefined,
    rule: r.rule ?? undefined,
    seq: r.seq,
    taskId: r.taskId ?? undefined,
    timeMs: r.timeMs,
    toAgent: r.toAgent ?? undefined,
    toPeer: r.toPeer ?? undefined,
    traceId: r.traceId ?? undefined
  })
}

/** SHA-256 of `prevHash` followed by the UTF-8 bytes of `content`. */
export function chainHash (prevHash: Uint8Array, content: string): Buffer {
  return createHash('sha256').update(prevHash).update(content).digest()
}

/** The hash `r` should have, from its stored content and prev hash. */
export function expectedHash (r: ChainedRecord): Buffer {
  return chainHash(r.prevHash, recordContent(r))
}

/** Bytes as a Buffer view (no copy); anything that is not bytes becomes an empty buffer, which matches no hash. */
export function bytesOf (value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  return Buffer.alloc(0)
}

function textOrNull (value: unknown): string | null {
  return typeof value === 'string' ? value : value == null ? null : String(value)
}

/** A row of `SELECT <RECORD_COLUMNS> FROM audit_records` as a {@link ChainedRecord}. */
export function recordFromRow (row: Record<string, unknown>): ChainedRecord {
  return {
    seq: Number(row.seq),
    timeMs: Number(row.time_ms),
    decision: String(row.decision),
    reason: textOrNull(row.reason),
    rule: textOrNull(row.rule),
    fromAgent: textOrNull(row.from_agent),
    fromPeer: textOrNull(row.from_peer),
    toAgent: textOrNull(row.to_agent),
    toPeer: textOrNull(row.to_peer),
    envelopeHash: textOrNull(row.envelope_hash),
    taskId: textOrNull(row.task_id),
    traceId: textOrNull(row.trace_id),
    detail: textOrNull(row.detail),
    chain: textOrNull(row.chain),
    prevHash: bytesOf(row.prev_hash),
    hash: bytesOf(row.hash)
  }
}

/**
 * The public form of a record: absent fields left out, hashes in hex, the
 * chain parsed (or `chain` as given, when the caller still has it).
 */
export function toAuditRecord (r: ChainedRecord, chain?: unknown): AuditRecord {
  // Hashes last, so that records read well as JSON.
  const out = { seq: r.seq, timeMs: r.timeMs, decision: r.decision } as AuditRecord
  for (const [field] of TEXT_FIELDS) {
    const value = r[field]
    if (value !== null) out[field] = value
  }
  if (r.chain !== null) out.chain = chain ?? parseChain(r.chain)
  out.prevHash = r.prevHash.toString('hex')
  out.hash = r.hash.toString('hex')
  return out
}

/** The chain text as JSON; text that does not parse (only in a tampered log) is returned as it is. */
export function parseChain (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The checkpoint fields a signature covers. */
export type CheckpointFields = Omit<AuditCheckpoint, 'signature'>

/** The bytes a checkpoint signature covers: {@link CHECKPOINT_DOMAIN} + canonical JSON of the fields. */
export function checkpointBytes (cp: CheckpointFields): Uint8Array {
  const json = canonicalize({ base: cp.base, count: cp.count, every: cp.every, hash: cp.hash, seq: cp.seq, timeMs: cp.timeMs }) ?? ''
  const text = Buffer.from(json, 'utf8')
  const out = new Uint8Array(CHECKPOINT_DOMAIN.byteLength + text.byteLength)
  out.set(CHECKPOINT_DOMAIN, 0)
  out.set(text, CHECKPOINT_DOMAIN.byteLength)
  return out
}

/** A row of `audit_checkpoints` as an {@link AuditCheckpoint}. */
export function checkpointFromRow (row: Record<string, unknown>): AuditCheckpoint {
  return {
    seq: Number(row.seq),
    hash: bytesOf(row.hash).toString('hex'),
    timeMs: Number(row.time_ms),
    count: Number(row.count),
    every: Number(row.every),
    base: Number(row.base) === 1,
    signature: bytesOf(row.signature).toString('hex')
  }
}
