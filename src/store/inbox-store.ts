import type { Database } from './database.js'

/** Where a received task stands. */
export type InboxState = 'received' | 'delivering' | 'done' | 'failed'

/** A stored answer frame, replayed to a sender that retries. */
export interface StoredFrame {
  kind: 'RESULT' | 'EVENT'
  payload: string
}

/** One received task. */
export interface InboxRecord {
  id: Uint8Array
  sender: string
  toAgent: string
  method: string
  payload: Uint8Array
  state: InboxState
  frames: StoredFrame[] | null
  error: { code: string, message: string } | null
}

/** Persistence of the inbox: de-duplication of received tasks by envelope id. */
export interface InboxStore {
  /** Stores a new task as received; false if this sender's id is already known. */
  claim(id: Uint8Array, sender: string, toAgent: string, method: string, payload: Uint8Array, nowMs: number, state?: 'received' | 'delivering'): boolean
  /** Marks a received task as handed to its agent (the point after which a crash leaves it ambiguous). */
  markDelivering(sender: string, id: Uint8Array, nowMs: number): void
  get(sender: string, id: Uint8Array): InboxRecord | undefined
  finish(sender: string, id: Uint8Array, state: 'done' | 'failed', frames: StoredFrame[] | null, error: { code: string, message: string } | null, nowMs: number): void
  /** Tasks not finished when the daemon stopped: received ones and those mid-delivery. */
  unfinished(): InboxRecord[]
}

interface Row { id: Uint8Array, sender: string, to_agent: string, method: string, payload: Uint8Array, state: InboxState, frames: string | null, error: string | null }

function fromRow (r: Row): InboxRecord {
  return {
    id: r.id, sender: r.sender, toAgent: r.to_agent, method: r.method, payload: r.payload, state: r.state,
    frames: r.frames == null ? null : JSON.parse(r.frames), error: r.error == null ? null : JSON.parse(r.error)
  }
}

/** The SQLite {@link InboxStore}. */
export function createSqliteInboxStore (db: Database): InboxStore {
  const claim = db.prepare(`INSERT INTO inbox (id, sender, to_agent, method, payload, state, received_ms, updated_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sender, id) DO NOTHING`)
  const delivering = db.prepare("UPDATE inbox SET state = 'delivering', updated_ms = ? WHERE sender = ? AND id = ? AND state = 'received'")
  const get = db.prepare('SELECT * FROM inbox WHERE sender = ? AND id = ?')
  const finish = db.prepare('UPDATE inbox SET state = ?, frames = ?, error = ?, updated_ms = ? WHERE sender = ? AND id = ?')
  const unfinished = db.prepare("SELECT * FROM inbox WHERE state IN ('received', 'delivering') ORDER BY received_ms")
  return {
    claim: (id, sender, toAgent, method, payload, now, state = 'received') => Number(claim.run(id, sender, toAgent, method, payload, state, now, now).changes) > 0,
    markDelivering: (sender, id, now) => { delivering.run(now, sender, id) },
    get: (sender, id) => { const r = get.get(sender, id) as Row | undefined; return r == null ? undefined : fromRow(r) },
    finish: (sender, id, state, frames, error, now) => {
      finish.run(state, frames == null ? null : JSON.stringify(frames), error == null ? null : JSON.stringify(error), now, sender, id)
    },
    unfinished: () => (unfinished.all() as unknown as Row[]).map(fromRow)
  }
}
