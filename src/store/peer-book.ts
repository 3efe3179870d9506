import type { Database } from './database.js'

/** A peer this daemon has met. */
export interface KnownPeer {
  peer: string
  addrs: string[]
  lastSeenMs: number
}

/** The peers a daemon remembers across restarts. */
export interface PeerBook {
  remember(peer: string, addrs: string[], nowMs: number): void
  knows(peer: string): boolean
  /** The most recently seen peers first. */
  recent(limit: number): KnownPeer[]
}

/** The SQLite {@link PeerBook}. */
export function createSqlitePeerBook (db: Database): PeerBook {
  const upsert = db.prepare('INSERT INTO known_peers (peer, addrs, last_seen_ms) VALUES (?, ?, ?) ON CONFLICT (peer) DO UPDATE SET addrs = excluded.addrs, last_seen_ms = excluded.last_seen_ms')
  const knows = db.prepare('SELECT 1 FROM known_peers WHERE peer = ?')
  const recent = db.prepare('SELECT peer, addrs, last_seen_ms FROM known_peers ORDER BY last_seen_ms DESC LIMIT ?')
  return {
    remember: (peer, addrs, now) => { upsert.run(peer, JSON.stringify(addrs), now) },
    knows: (peer) => knows.get(peer) !== undefined,
    recent: (limit) => (recent.all(limit) as Array<{ peer: string, addrs: string, last_seen_ms: number }>)
      .map((r) => ({ peer: r.peer, addrs: JSON.parse(r.addrs) as string[], lastSeenMs: r.last_seen_ms }))
  }
}
