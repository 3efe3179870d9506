import type { Database } from './database.js'

/** Where a received task stands. */
export type InboxState = 'delivering' | 'done' | 'failed'

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
  state: InboxState
  frames: StoredFrame[] | null
  error: { code: string, message: string } | null
}

/** Persistence of the inbox: de-duplication of received tasks by envelope id. */
export interface InboxStore {
  /** Records a new task as being delivered; false if the id is already known. */
  claim(id: Uint8Array, sender: string, toAgent: string, method: string, nowMs: number): boolean
  get(id: Uint8Array): InboxRecord | undefined
  finish(id: Uint8Array, state: 'done' | 'failed', frames: StoredFrame[] | null, error: { code: string, message: string } | null, nowMs: number): void
  /** Tasks whose delivery was under way when the daemon stopped. */
  interrupted(): InboxRecord[]
}

interface Row { id: Uint8Array, sender: string, to_agent: string, method: string, state: InboxState, frames: string | null, error: string | null }

function fromRow (r: Row): InboxRecord {
  return {
    id: r.id, sender: r.sender, toAgent: r.to_agent, method: r.method, state: r.state,
    frames: r.frames == null ? null : JSON.parse(r.frames), error: r.error == null ? null : JSON.parse(r.error)
  }
}

/** The SQLite {@link InboxStore}. */
export function createSqliteInboxStore (db: Database): InboxStore {
  const claim = db.prepare(`INSERT INTO inbox (id, sender, to_agent, method, state, received_ms, updated_ms)
    VALUES (?, ?, ?, ?, 'delivering', ?, ?) ON CONFLICT (id) DO NOTHING`)
  const get = db.prepare('SELECT * FROM inbox WHERE id = ?')
  const finish = db.prepare('UPDATE inbox SET state = ?, frames = ?, error = ?, updated_ms = ? WHERE id = ?')
  const interrupted = db.prepare("SELECT * FROM inbox WHERE state = 'delivering'")
  return {
    claim: (id, sender, toAgent, method, now) => Number(claim.run(id, sender, toAgent, method, now, now).changes) > 0,
    get: (id) => { const r = get.get(id) as Row | undefined; return r == null ? undefined : fromRow(r) },
    finish: (id, state, frames, error, now) => {
      finish.run(state, frames == null ? null : JSON.stringify(frames), error == null ? null : JSON.stringify(error), now, id)
    },
    interrupted: () => (interrupted.all() as unknown as Row[]).map(fromRow)
  }
}
