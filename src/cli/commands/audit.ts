import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import { resolve } from 'node:path'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import {
  DECISION_PATTERN,
  exportAuditLines,
  queryAudit,
  verifyAuditDatabase,
  verifyAuditExport,
  withDatabaseFile,
  type AuditRecord,
  type VerifyReport
} from '../../audit/index.js'
import { homePaths } from '../../home/index.js'
import { loadIdentityKey } from '../../identity/index.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { CliFileError, parseDuration } from './trust-support.js'

/** Records `audit query` prints unless `--limit` says otherwise. */
const DEFAULT_QUERY_LIMIT = 100

/** Bytes `audit export --out` gathers before each write. */
const WRITE_CHUNK = 64 * 1024

/** `--since`: an ISO time, or a duration ago (`10m`, `2h`, `1d`). @throws {UsageError} */
function parseSince (text: string, now: number): number {
  if (/^\d+[dhms]$/.test(text.trim())) return now - parseDuration(text, '--since')
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN
  if (!Number.isFinite(time)) {
    throw new UsageError(`--since "${text}" is neither a time (e.g. 2026-05-01T12:00:00Z) nor a duration ago (e.g. 10m, 2h, 1d)`)
  }
  return time
}

function parseLimit (value: unknown): number {
  if (value === undefined) return DEFAULT_QUERY_LIMIT
  const n = Number(value)
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--limit "${String(value)}" must be a whole number of at least 1`)
  }
  return n
}

/** `--peer`, checked to be a peer ID. @throws {UsageError} */
function parsePeer (value: unknown): string | undefined {
  if (value === undefined) return undefined
  try {
    const peer = peerIdFromString(String(value))
    if (peer.type !== 'Ed25519') throw new Error(`a ${peer.type} key`)
    return peer.toString()
  } catch (err) {
    throw new UsageError(`--peer "${String(value)}" is not an Ed25519 peer ID (${(err as Error).message})`)
  }
}

/** The peer ID of the home's identity key (no daemon needed). */
function homePeerId (home: string): string {
  return peerIdFromPrivateKey(loadIdentityKey(homePaths(home).identityKey)).toString()
}

/** `name@…last6` for a peer ID, so that lines stay readable. */
function party (agent: string | undefined, peer: string | undefined): string {
  const at = peer === undefined ? '' : `@…${peer.slice(-6)}`
  return agent === undefined && peer === undefined ? '-' : `${agent ?? ''}${at}`
}

/** One line of `audit query`. */
function recordLine (r: AuditRecord): string {
  const parts = [`#${r.seq}`, new Date(r.timeMs).toISOString(), r.decision]
  if (r.reason !== undefined) parts.push(r.reason)
  if (r.rule !== undefined) parts.push(`rule=${r.rule}`)
  parts.push(`${party(r.fromAgent, r.fromPeer)} → ${party(r.toAgent, r.toPeer)}`)
  if (r.taskId !== undefined) parts.push(`task=${r.taskId}`)
  if (r.traceId !== undefined) parts.push(`trace=${r.traceId}`)
  if (Array.isArray(r.chain)) parts.push(`chain=${r.chain.map((l: { agent?: unknown }) => String(l?.agent ?? '?')).join('>')}`)
  if (r.detail !== undefined) parts.push(JSON.stringify(r.detail))
  return parts.join('  ')
}

/** `agentmesh audit query`. */
export const auditQueryCommand: Command = {
  name: 'audit query',
  summary: "Print the audit log's records: every decision this daemon made (sent, delivered, denied and by which rule, replay, bad signature, …). Reads the home's database; the daemon may be running or not.",
  options: {
    agent: { type: 'string', valueName: 'A', description: 'records from or to this agent (name, or name@peer)' },
    since: { type: 'string', valueName: 'T', description: 'records since this time (ISO, e.g. 2026-05-01T12:00:00Z) or this long ago (10m, 2h, 1d)' },
    decision: { type: 'string', valueName: 'D', description: 'records of this decision (sent, delivered, denied, replay, bad_signature, …)' },
    limit: { type: 'string', valueName: 'N', description: `at most the newest N records (default ${DEFAULT_QUERY_LIMIT})` }
  },
  json: true,
  details: 'One line per record, oldest first: #seq, time, decision, reason, rule, from → to, task, trace,\n' +
    'delegation chain, detail. --json prints the records as a JSON array.\n' +
    'Example:\n  agentmesh audit query --decision denied --since 1h',
  async run ({ home, json, io, values }) {
    const decision = values.decision as string | undefined
    if (decision !== undefined && !DECISION_PATTERN.test(decision)) throw new UsageError(`--decision "${decision}" is not a decision (lower-case words joined by _, e.g. denied)`)
    const agent = values.agent as string | undefined
    if (agent === '') throw new UsageError('--agent must not be empty')
    const filter = {
      ...(agent !== undefined ? { agent } : {}),
      ...(typeof values.since === 'string' ? { since: parseSince(values.since, Date.now()) } : {}),
      ...(decision !== undefined ? { decision } : {}),
      limit: parseLimit(values.limit)
    }
    const records = withDatabaseFile(homePaths(home).database, (db) => queryAudit(db, filter))
    if (json) { io.stdout(JSON.stringify(records) + '\n'); return 0 }
    for (const r of records) io.stdout(recordLine(r) + '\n')
    return 0
  }
}

/** The text `audit verify` prints. */
function describeReport (r: VerifyReport, source: string): string {
  const lines: string[] = []
  const span = r.firstSeq === undefined ? 'no records' : `${r.records} record${r.records === 1 ? '' : 's'} (seq ${r.firstSeq}..${r.lastSeq ?? r.firstSeq})`
  if (r.ok) {
    lines.push(`OK  ${source}: ${span}, ${r.checkpoints} signed checkpoint${r.checkpoints === 1 ? '' : 's'}, peer ${r.peer}`)
  } else {
    const bad = r.firstBad
    lines.push(`FAILED  ${source}: first bad record: seq ${bad?.seq ?? '?'} ${bad?.problem ?? ''}`, `  ${bad?.message ?? ''}`)
    lines.push(`  checked before it: ${span}, ${r.checkpoints} signed checkpoint${r.checkpoints === 1 ? '' : 's'}, peer ${r.peer}`)
  }
  if (r.lastCheckpoint !== undefined) {
    lines.push(`  last checkpoint: seq ${r.lastCheckpoint.seq} at ${new Date(r.lastCheckpoint.timeMs).toISOString()}, hash ${r.lastCheckpoint.hash}`)
  }
  for (const w of r.warnings) lines.push(`  warning: ${w.message}`)
  return lines.join('\n') + '\n'
}

/** `agentmesh audit verify`. */
export const auditVerifyCommand: Command = {
  name: 'audit verify',
  summary: "Prove the audit log untampered: check its hash chain and the daemon's signed checkpoints. Names the first bad record and what happened to it (edited, deleted, inserted, reordered, …).",
  options: {
    file: { type: 'string', valueName: 'EXPORT', description: 'verify this export (from audit export) instead of the home\'s database; needs no home' },
    peer: { type: 'string', valueName: 'ID', description: "the daemon's peer ID to check signatures against (default: the home's; with --file, the one the export names)" }
  },
  json: true,
  details: 'Exit status: 0 if the log verifies, 1 if it does not (or cannot be read), 2 for bad input.\n' +
    'Records after the last checkpoint are checked for consistency only; the report says how many.\n' +
    'Examples:\n  agentmesh audit verify\n  agentmesh audit verify --file audit.jsonl --peer 12D3KooW…',
  async run ({ home, json, io, values }) {
    const peer = parsePeer(values.peer)
    let report: VerifyReport
    let source: string
    if (typeof values.file === 'string') {
      source = resolve(values.file)
      let text: string
      try {
        text = readFileSync(source, 'utf8')
      } catch (err) {
        throw new CliFileError('FILE_UNREADABLE', `cannot read the export ${source}: ${(err as Error).message}`, { cause: err })
      }
      report = verifyAuditExport(text, peer)
      if (peer === undefined && !json) io.stderr('note: checked against the peer ID the export names; add --peer ID to check that it is the daemon you expect\n')
    } else {
      source = homePaths(home).database
      report = verifyAuditDatabase(source, peer ?? homePeerId(home))
    }
    io.stdout(json ? JSON.stringify(report) + '\n' : describeReport(report, source))
    return report.ok ? 0 : 1
  }
}

/** `agentmesh audit export`. */
export const auditExportCommand: Command = {
  name: 'audit export',
  summary: 'Write the audit log with its signed checkpoints as JSON Lines, for anyone to verify with only this peer ID (audit verify --file). Reads the home\'s database; the daemon may be running or not.',
  options: {
    out: { type: 'string', valueName: 'FILE', description: 'write to FILE (mode 0600) instead of standard output' },
    force: { type: 'boolean', description: 'overwrite FILE if it exists' }
  },
  json: true,
  details: 'Format: a header line {"format":"agentmesh-audit/1","peer":…}, then the records in order, each\n' +
    'signed checkpoint right after the record it covers. With --out, --json prints a summary.\n' +
    'Example:\n  agentmesh audit export --out audit.jsonl && agentmesh audit verify --file audit.jsonl --peer "$(agentmesh id)"',
  async run ({ home, json, io, values }) {
    const peer = homePeerId(home)
    const database = homePaths(home).database
    if (typeof values.out !== 'string') {
      withDatabaseFile(database, (db) => { for (const line of exportAuditLines(db, peer)) io.stdout(line + '\n') })
      return 0
    }
    const file = resolve(values.out)
    let fd: number
    try {
      fd = openSync(file, values.force === true ? 'w' : 'wx', 0o600)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EEXIST') throw new CliFileError('FILE_EXISTS', `${file} already exists; choose another --out or add --force to overwrite it`, { cause: err })
      throw new CliFileError('FILE_UNWRITABLE', `cannot write ${file}: ${(err as Error).message}`, { cause: err })
    }
    const counts = { records: 0, checkpoints: 0 }
    try {
      withDatabaseFile(database, (db) => {
        let chunk = ''
        for (const line of exportAuditLines(db, peer)) {
          if (line.startsWith('{"type":"record"')) counts.records++
          else if (line.startsWith('{"type":"checkpoint"')) counts.checkpoints++
          chunk += line + '\n'
          if (chunk.length >= WRITE_CHUNK) { writeSync(fd, chunk); chunk = '' }
        }
        if (chunk !== '') writeSync(fd, chunk)
      })
    } finally {
      closeSync(fd)
    }
    io.stdout(json
      ? JSON.stringify({ file, peer, ...counts }) + '\n'
      : `wrote ${counts.records} records and ${counts.checkpoints} checkpoints of peer ${peer} to ${file}\n`)
    return 0
  }
}
