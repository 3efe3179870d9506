import type { ReplayStore, SeqWindowState } from '../envelope/index.js'
import type { Database } from './database.js'

/**
 * The replay window's state in the daemon's database (tables `replay_nonces`
 * and `replay_sequences`). Statements are prepared once, here.
 */
export function createSqliteReplayStore (database: Database): ReplayStore {
  const hasNonce = database.prepare('SELECT 1 FROM replay_nonces WHERE sender = ? AND nonce = ?')
  const addNonce = database.prepare('INSERT INTO replay_nonces (sender, nonce, timestamp_ms) VALUES (?, ?, ?)')
  const pruneNonces = database.prepare(`DELETE FROM replay_nonces WHERE (sender, nonce) IN (
    SELECT sender, nonce FROM replay_nonces WHERE timestamp_ms < ? ORDER BY timestamp_ms LIMIT ?)`)
  const getWindow = database.prepare('SELECT highest, bitmap FROM replay_sequences WHERE sender = ? AND recipient = ?')
  const putWindow = database.prepare(`INSERT INTO replay_sequences (sender, recipient, highest, bitmap) VALUES (?, ?, ?, ?)
    ON CONFLICT (sender, recipient) DO UPDATE SET highest = excluded.highest, bitmap = excluded.bitmap`)

  return {
    transaction: (fn) => database.transaction(fn),
    hasNonce: (sender, nonce) => hasNonce.get(sender, nonce) != null,
    addNonce: (sender, nonce, timestampMs) => { addNonce.run(sender, nonce, timestampMs) },
    pruneNonces: (beforeMs, limit) => Number(pruneNonces.run(beforeMs, limit).changes),
    getSeqWindow (sender, recipient): SeqWindowState | undefined {
      const row = getWindow.get(sender, recipient)
      if (row == null) return undefined
      return { highest: Number(row.highest), bitmap: row.bitmap as Uint8Array }
    },
    putSeqWindow: (sender, recipient, state) => { putWindow.run(sender, recipient, state.highest, state.bitmap) }
  }
}
