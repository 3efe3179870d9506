import type { Database } from './database.js'

/** Where an outgoing task stands. */
export type OutboxState = 'pending' | 'done' | 'failed'

/** One outgoing task. */
export interface OutboxRecord {
  id: Uint8Array
  toPeer: string
  toAgent: string
  fromAgent: string
  method: string
  payload: Uint8Array
  /** The encoded delegation chain (empty if none). */
  delegation: Uint8Array
  deadlineMs: number
  state: OutboxState
  attempts: number
  result: Uint8Array | null
  error: string | null
  createdMs: number
}

/** Persistence of the outbox: a task is stored before anyone is told it was accepted. */
export interface OutboxStore {
  insert(record: Omit<OutboxRecord, 'state' | 'attempts' | 'result' | 'error' | 'delegation'> & { delegation?: Uint8Array }): void
  markAttempt(id: Uint8Array, nowMs: number): void
  finish(id: Uint8Array, state: 'done' | 'failed', result: Uint8Array | null, error: string | null, nowMs: number): void
  get(id: Uint8Array): OutboxRecord | undefined
  /** Tasks not yet finished, oldest first. */
  open(): OutboxRecord[]
  counts(): Record<OutboxState, number>
}

interface Row {
  id: Uint8Array, to_peer: string, to_agent: string, from_agent: string, method: string, payload: Uint8Array, delegation: Uint8Array
  deadline_ms: number, state: OutboxState, attempts: number, result: Uint8Array | null, error: string | null, created_ms: number
}

function fromRow (r: Row): OutboxRecord {
  return {
    id: r.id, toPeer: r.to_peer, toAgent: r.to_agent, fromAgent: r.from_agent, method: r.method, payload: r.payload, delegation: r.delegation,
    deadlineMs: r.deadline_ms, state: r.state, attempts: r.attempts, result: r.result, error: r.error, createdMs: r.created_ms
  }
}

/** The SQLite {@link OutboxStore}. */
export function createSqliteOutboxStore (db: Database): OutboxStore {
  const insert = db.prepare(`INSERT INTO outbox (id, to_peer, to_agent, from_agent, method, payload, delegation, deadline_ms, state, created_ms, updated_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`)
  const attempt = db.prepare('UPDATE outbox SET attempts = attempts + 1, updated_ms = ? WHERE id = ?')
  const finish = db.prepare("UPDATE outbox SET state = ?, result = ?, error = ?, updated_ms = ? WHERE id = ? AND state = 'pending'")
  const get = db.prepare('SELECT * FROM outbox WHERE id = ?')
  const open = db.prepare("SELECT * FROM outbox WHERE state = 'pending' ORDER BY created_ms")
  const counts = db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state')
  return {
    insert: (r) => { insert.run(r.id, r.toPeer, r.toAgent, r.fromAgent, r.method, r.payload, r.delegation ?? new Uint8Array(0), r.deadlineMs, r.createdMs, r.createdMs) },
    markAttempt: (id, now) => { attempt.run(now, id) },
    finish: (id, state, result, error, now) => { finish.run(state, result, error, now, id) },
    get: (id) => { const r = get.get(id) as Row | undefined; return r == null ? undefined : fromRow(r) },
    open: () => (open.all() as unknown as Row[]).map(fromRow),
    counts: () => {
      const out: Record<OutboxState, number> = { pending: 0, done: 0, failed: 0 }
      for (const r of counts.all() as Array<{ state: OutboxState, n: number }>) out[r.state] = r.n
      return out
    }
  }
}

/** How many outgoing tasks are unfinished, and when the oldest of them was accepted (for the metrics). */
export interface OutboxBacklog { pending: number, oldestCreatedMs: number | null }

/** Reads the outbox backlog (one indexed query on the pending tasks) each time the returned function is called. */
export function outboxBacklog (db: Database): () => OutboxBacklog {
  const q = db.prepare("SELECT COUNT(*) AS n, MIN(created_ms) AS oldest FROM outbox WHERE state = 'pending'")
  return () => {
    const r = q.get() as { n: number, oldest: number | null } | undefined
    return { pending: Number(r?.n ?? 0), oldestCreatedMs: r?.oldest == null ? null : Number(r.oldest) }
  }
}
