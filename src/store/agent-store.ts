import type { Database } from './database.js'

/** A registered local agent as stored. */
export interface AgentRecord {
  name: string
  /** The base URL the operator gave. */
  url: string
  /** The JSON-RPC endpoint, from the agent's card. */
  rpcUrl: string
  role: string | null
  /** The agent it reports to (`name` or `name@peer`), from the certificate. */
  parent: string | null
  /** SHA-256 (hex) of its caller token; null for agents registered before tokens existed. */
  tokenHash: string | null
  /** The agent's card as fetched (JSON). */
  card: unknown
  addedMs: number
}

/** Persistence of the local agent registry. */
export interface AgentStore {
  put(record: AgentRecord): void
  get(name: string): AgentRecord | undefined
  list(): AgentRecord[]
  delete(name: string): boolean
}

interface Row { name: string, url: string, rpc_url: string, role: string | null, parent: string | null, token_hash: string | null, card: string, added_ms: number }

function fromRow (r: Row): AgentRecord {
  return { name: r.name, url: r.url, rpcUrl: r.rpc_url, role: r.role, parent: r.parent, tokenHash: r.token_hash, card: JSON.parse(r.card), addedMs: r.added_ms }
}

/** The SQLite {@link AgentStore}. */
export function createSqliteAgentStore (db: Database): AgentStore {
  const put = db.prepare('INSERT INTO agents (name, url, rpc_url, role, parent, token_hash, card, added_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET url = excluded.url, rpc_url = excluded.rpc_url, role = excluded.role, parent = excluded.parent, token_hash = excluded.token_hash, card = excluded.card, added_ms = excluded.added_ms')
  const get = db.prepare('SELECT * FROM agents WHERE name = ?')
  const list = db.prepare('SELECT * FROM agents ORDER BY name')
  const del = db.prepare('DELETE FROM agents WHERE name = ?')
  return {
    put: (a) => { put.run(a.name, a.url, a.rpcUrl, a.role, a.parent, a.tokenHash, JSON.stringify(a.card), a.addedMs) },
    get: (name) => { const r = get.get(name) as Row | undefined; return r == null ? undefined : fromRow(r) },
    list: () => (list.all() as unknown as Row[]).map(fromRow),
    delete: (name) => Number(del.run(name).changes) > 0
  }
}
