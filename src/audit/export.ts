import canonicalize from 'canonicalize'
import { EXPORT_FORMAT } from './constants.js'
import { withDatabaseFile } from './database-file.js'
import { requireAuditTables } from './query.js'
import { checkpointFromRow, parseChain, recordFromRow, RECORD_COLUMNS, TEXT_FIELDS, type ChainedRecord } from './record.js'
import type { AuditCheckpoint, Queryable, VerifyReport } from './types.js'
import { verifyLog, type LogSource } from './verify.js'

/** The first line of an export. */
export interface ExportHeader {
  format: typeof EXPORT_FORMAT
  /** The daemon whose key signed the checkpoints. */
  peer: string
}

/**
 * The audit log as JSON Lines, one line at a time: a header
 * `{format, peer}`, then every record (`type: "record"`) in seq order, each
 * checkpoint (`type: "checkpoint"`) right after the record it signs (a
 * pruning checkpoint first). Records carry the chain parsed; `chainText`
 * replaces it when the stored text is not canonical JSON, so that what is
 * exported is exactly what was hashed.
 *
 * @throws {AuditError} `NO_AUDIT_LOG`
 */
export function * exportAuditLines (db: Queryable, peerId: string): Generator<string> {
  const { records, checkpoints } = databaseSource(db)
  const header: ExportHeader = { format: EXPORT_FORMAT, peer: peerId }
  yield JSON.stringify(header)
  let idx = 0
  for (const r of records()) {
    for (; idx < checkpoints.length && (checkpoints[idx] as AuditCheckpoint).seq < r.seq; idx++) yield checkpointLine(checkpoints[idx] as AuditCheckpoint)
    yield recordLine(r)
    for (; idx < checkpoints.length && (checkpoints[idx] as AuditCheckpoint).seq === r.seq; idx++) yield checkpointLine(checkpoints[idx] as AuditCheckpoint)
  }
  for (; idx < checkpoints.length; idx++) yield checkpointLine(checkpoints[idx] as AuditCheckpoint)
}

/**
 * The whole export as one string (see {@link exportAuditLines}), from an open
 * database or from a database file (opened read-only).
 */
export function exportAudit (db: Queryable | string, peerId: string): string {
  const run = (q: Queryable): string => {
    let out = ''
    for (const line of exportAuditLines(q, peerId)) out += line + '\n'
    return out
  }
  return typeof db === 'string' ? withDatabaseFile(db, run) : run(db)
}

/**
 * Verifies the audit log of a database, an open one or a file (opened
 * read-only, as one snapshot: the daemon may be running or stopped), against
 * the daemon's peer ID.
 *
 * @throws {AuditError} `NO_AUDIT_LOG`, `DATABASE_UNREADABLE`; {PeerKeyError} for a peer ID that is not an Ed25519 one
 */
export function verifyAuditDatabase (db: Queryable | string, peerId: string): VerifyReport {
  return typeof db === 'string'
    ? withDatabaseFile(db, (q) => verifyLog(databaseSource(q), peerId))
    : verifyLog(databaseSource(db), peerId)
}

/**
 * Verifies an export with nothing but its text and the daemon's peer ID (the
 * Ed25519 public key is in the peer ID). Without `peerId`, the header's peer
 * is used: that proves the export consistent, not whose it is.
 *
 * @throws {PeerKeyError} for a peer ID that is not an Ed25519 one
 */
export function verifyAuditExport (text: string, peerId?: string): VerifyReport {
  const parsed = parseExport(text)
  const peer = peerId ?? parsed.header?.peer ?? ''
  const bad = (seq: number, problem: 'malformed' | 'wrong_peer', message: string): VerifyReport =>
    ({ ok: false, peer, records: 0, checkpoints: 0, unsigned: 0, warnings: [], firstBad: { seq, problem, message } })
  if (parsed.error !== undefined) return bad(parsed.error.seq, 'malformed', parsed.error.message)
  if (peerId !== undefined && parsed.header?.peer !== peerId) {
    return bad(0, 'wrong_peer', `this export is of peer ${String(parsed.header?.peer)}, not ${peerId}`)
  }
  return verifyLog({ records: () => parsed.records, checkpoints: parsed.checkpoints }, peer)
}

/** The records (streamed, in seq order) and checkpoints of a database. */
function databaseSource (db: Queryable): LogSource {
  requireAuditTables(db)
  const select = db.prepare(`SELECT ${RECORD_COLUMNS.join(', ')} FROM audit_records ORDER BY seq`)
  const checkpoints = db.prepare('SELECT seq, hash, time_ms, count, every, base, signature FROM audit_checkpoints ORDER BY seq').all().map(checkpointFromRow)
  return {
    records: function * () {
      for (const row of select.iterate()) yield recordFromRow(row)
    },
    checkpoints
  }
}

function recordLine (r: ChainedRecord): string {
  const line: Record<string, unknown> = { type: 'record', seq: r.seq, timeMs: r.timeMs, decision: r.decision }
  for (const [field] of TEXT_FIELDS) {
    if (r[field] !== null) line[field] = r[field]
  }
  if (r.chain !== null) {
    const chain = parseChain(r.chain)
    if (chain !== r.chain && canonicalize(chain) === r.chain) line.chain = chain
    else line.chainText = r.chain
  }
  line.prevHash = r.prevHash.toString('hex')
  line.hash = r.hash.toString('hex')
  return JSON.stringify(line)
}

function checkpointLine (cp: AuditCheckpoint): string {
  return JSON.stringify({ type: 'checkpoint', ...cp })
}

interface ParsedExport {
  header?: ExportHeader
  records: ChainedRecord[]
  checkpoints: AuditCheckpoint[]
  error?: { seq: number, message: string }
}

/**
 * Reads an export. Lines that are not what the format says (bad JSON, a
 * missing seq, a hash that is not text) make it malformed; a value that is
 * merely wrong is kept as it is, for the hash check to name.
 */
function parseExport (text: string): ParsedExport {
  const out: ParsedExport = { records: [], checkpoints: [] }
  const lines = text.split('\n')
  let lastSeq = 0
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim()
    if (line === '') continue
    const where = `line ${i + 1}`
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      out.error = { seq: lastSeq + 1, message: `${where} is not JSON` }
      return out
    }
    const obj = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>
    if (out.header === undefined) {
      if (obj.format !== EXPORT_FORMAT || typeof obj.peer !== 'string') {
        out.error = { seq: 0, message: `${where} is not an ${EXPORT_FORMAT} export header` }
        return out
      }
      out.header = { format: EXPORT_FORMAT, peer: obj.peer }
      continue
    }
    const problem = obj.type === 'record' ? addRecord(out, obj) : obj.type === 'checkpoint' ? addCheckpoint(out, obj) : 'is neither a record nor a checkpoint'
    if (problem !== undefined) {
      out.error = { seq: typeof obj.seq === 'number' ? obj.seq : lastSeq + 1, message: `${where} ${problem}` }
      return out
    }
    if (obj.type === 'record') lastSeq = obj.seq as number
  }
  if (out.header === undefined) out.error = { seq: 0, message: 'the export is empty' }
  return out
}

function addRecord (out: ParsedExport, o: Record<string, unknown>): string | undefined {
  if (!Number.isSafeInteger(o.seq)) return 'has no whole-number seq'
  if (typeof o.timeMs !== 'number') return 'has no timeMs'
  if (o.decision === undefined) return 'has no decision'
  if (typeof o.prevHash !== 'string' || typeof o.hash !== 'string') return 'has no prevHash or hash'
  let chain: string | null = null
  if (typeof o.chainText === 'string') chain = o.chainText
  else if (o.chain !== undefined) {
    try {
      chain = canonicalize(o.chain) ?? null
    } catch {
      return 'has a chain that is not JSON'
    }
  }
  // Values of the wrong type are kept as they are (cast): the hash check names them.
  const field = (name: string): string | null => (o[name] ?? null) as string | null
  out.records.push({
    seq: o.seq as number,
    timeMs: o.timeMs,
    decision: o.decision as string,
    reason: field('reason'),
    rule: field('rule'),
    fromAgent: field('fromAgent'),
    fromPeer: field('fromPeer'),
    toAgent: field('toAgent'),
    toPeer: field('toPeer'),
    envelopeHash: field('envelopeHash'),
    taskId: field('taskId'),
    traceId: field('traceId'),
    detail: field('detail'),
    chain,
    prevHash: Buffer.from(o.prevHash, 'hex'),
    hash: Buffer.from(o.hash, 'hex')
  })
  return undefined
}

function addCheckpoint (out: ParsedExport, o: Record<string, unknown>): string | undefined {
  if (!Number.isSafeInteger(o.seq) || typeof o.hash !== 'string' || typeof o.timeMs !== 'number' || typeof o.count !== 'number' ||
      typeof o.every !== 'number' || typeof o.base !== 'boolean' || typeof o.signature !== 'string') {
    return 'is not a checkpoint (seq, hash, timeMs, count, every, base, signature)'
  }
  out.checkpoints.push({ seq: o.seq as number, hash: o.hash, timeMs: o.timeMs, count: o.count, every: o.every, base: o.base, signature: o.signature })
  return undefined
}
