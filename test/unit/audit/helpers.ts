import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { generateKeyPair } from '@libp2p/crypto/keys'
import canonicalize from 'canonicalize'
import { AuditLog, type AuditEntry, type AuditLogInit } from '../../../src/audit/index.js'
import { createSigner, type Signer } from '../../../src/envelope/index.js'
import { openDatabase, type Database } from '../../../src/store/index.js'

/** A fixed start for the test clock: 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1)

/** A signer with a fresh Ed25519 key. */
export async function newSigner (): Promise<Signer> {
  return createSigner(await generateKeyPair('Ed25519'))
}

/** A temporary folder, removed by the returned function. */
export function tempDir (): { dir: string, remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'agentmesh-audit-'))
  return { dir, remove: () => { rmSync(dir, { recursive: true, force: true }) } }
}

/** A database file with an audit log on it and a clock the test moves. */
export interface TestLog {
  path: string
  db: Database
  audit: AuditLog
  signer: Signer
  clock: { now: number }
  /** Closes the database (the daemon stops), signing a final checkpoint unless `crash`. */
  close: (crash?: boolean) => void
}

export function openTestLog (path: string, signer: Signer, init: Partial<AuditLogInit> = {}, clock = { now: T0 }): TestLog {
  const db = openDatabase(path)
  const audit = new AuditLog({ db, signer, now: () => clock.now, ...init })
  return {
    path, db, audit, signer, clock,
    close: (crash = false) => {
      if (!crash) audit.stop()
      db.close()
    }
  }
}

/** A few varied decisions, as the daemon makes them. */
export function sampleEntry (i: number, peer: string): AuditEntry {
  const kinds: AuditEntry[] = [
    { decision: 'sent', fromAgent: 'planner', fromPeer: peer, toAgent: 'search', toPeer: peer, taskId: i.toString(16).padStart(32, '0') },
    { decision: 'delivered', fromAgent: 'planner', fromPeer: peer, toAgent: 'search', toPeer: peer, rule: 'parent-calls-child', chain: [{ signer: peer, agent: 'operator', audience: 'planner' }, { signer: peer, agent: 'planner', audience: 'search' }] },
    { decision: 'denied', reason: 'POLICY_DENIED', rule: 'no-siblings', fromAgent: 'search', fromPeer: peer, toAgent: 'writer', toPeer: peer, detail: 'siblings may not call each other' },
    { decision: 'replay', reason: 'REPLAYED', fromPeer: peer, envelopeHash: 'ab'.repeat(32) }
  ]
  return kinds[i % kinds.length] as AuditEntry
}

/** Appends `n` sample records, one second apart on the test clock. */
export function fill (log: TestLog, n: number): void {
  for (let i = 0; i < n; i++) {
    log.clock.now += 1000
    log.audit.append(sampleEntry(i, log.signer.peerId))
  }
}

// ---- What an attacker with write access to the database file does. ----
// Written from the documented format only (SHA-256 over the previous hash and
// RFC 8785 JSON of the content), not with the module's own functions.

const FIELDS: Array<[string, string]> = [
  ['decision', 'decision'], ['reason', 'reason'], ['rule', 'rule'], ['fromAgent', 'from_agent'], ['fromPeer', 'from_peer'],
  ['toAgent', 'to_agent'], ['toPeer', 'to_peer'], ['envelopeHash', 'envelope_hash'], ['taskId', 'task_id'],
  ['traceId', 'trace_id'], ['detail', 'detail'], ['chain', 'chain']
]

/** The hash a row should have, computed the way the format documents it. */
export function attackerHash (row: Record<string, unknown>): Buffer {
  const content: Record<string, unknown> = { seq: Number(row.seq), timeMs: Number(row.time_ms) }
  for (const [key, column] of FIELDS) if (row[column] !== null && row[column] !== undefined) content[key] = row[column]
  return createHash('sha256').update(row.prev_hash as Uint8Array).update(canonicalize(content) as string).digest()
}

/** Opens the (stopped) daemon's database file directly, as anyone with write access can. */
export function tamper (path: string, fn: (db: DatabaseSync) => void): void {
  const db = new DatabaseSync(path)
  try {
    fn(db)
  } finally {
    db.close()
  }
}

/** Recomputes every hash from `fromSeq` on, re-chaining each record onto the one before: the attacker's fix-up. */
export function recomputeFrom (db: DatabaseSync, fromSeq: number): void {
  const rows = db.prepare('SELECT * FROM audit_records WHERE seq >= ? ORDER BY seq').all(fromSeq)
  let prev = db.prepare('SELECT hash FROM audit_records WHERE seq < ? ORDER BY seq DESC LIMIT 1').get(fromSeq)?.hash as Uint8Array | undefined
  const update = db.prepare('UPDATE audit_records SET prev_hash = ?, hash = ? WHERE seq = ?')
  for (const row of rows) {
    const fixed = { ...row, prev_hash: prev ?? row.prev_hash }
    const hash = attackerHash(fixed)
    update.run(fixed.prev_hash as Uint8Array, hash, Number(row.seq))
    prev = hash
  }
}

/** Swaps the seq of two records (through a free number: seq is the primary key). */
export function swapSeq (db: DatabaseSync, a: number, b: number): void {
  db.prepare('UPDATE audit_records SET seq = -1 WHERE seq = ?').run(a)
  db.prepare('UPDATE audit_records SET seq = ? WHERE seq = ?').run(a, b)
  db.prepare('UPDATE audit_records SET seq = ? WHERE seq = -1').run(b)
}

/** Shifts every record from `fromSeq` on by `by` (highest first, so the primary key never collides). */
export function renumberFrom (db: DatabaseSync, fromSeq: number, by: number): void {
  const seqs = db.prepare('SELECT seq FROM audit_records WHERE seq >= ? ORDER BY seq ' + (by > 0 ? 'DESC' : 'ASC')).all(fromSeq).map((r) => Number(r.seq))
  const update = db.prepare('UPDATE audit_records SET seq = ? WHERE seq = ?')
  for (const seq of seqs) update.run(seq + by, seq)
}
