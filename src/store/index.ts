/**
 * The daemon's embedded database (SQLite through `node:sqlite`): opening with
 * the right pragmas, versioned migrations, and the stores other capabilities
 * depend on through their own interfaces.
 */
export { DEFAULT_BUSY_TIMEOUT_MS, MEMORY_PATH } from './constants.js'
export { openDatabase } from './database.js'
export type { Database, OpenDatabaseOptions } from './database.js'
export { StoreError } from './errors.js'
export type { StoreErrorCode } from './errors.js'
export { MIGRATIONS } from './migrations.js'
export type { Migration } from './migrations.js'
export { createSqliteReplayStore } from './replay-store.js'
export { createSqliteSequenceStore } from './sequence-store.js'
export { createSqliteAgentStore } from './agent-store.js'
export type { AgentRecord, AgentStore } from './agent-store.js'
export { createSqliteOutboxStore, outboxBacklog } from './outbox-store.js'
export type { OutboxBacklog, OutboxRecord, OutboxState, OutboxStore } from './outbox-store.js'
export { createSqliteInboxStore } from './inbox-store.js'
export type { InboxRecord, InboxState, InboxStore, StoredFrame } from './inbox-store.js'
export { createSqlitePeerBook } from './peer-book.js'
export type { KnownPeer, PeerBook } from './peer-book.js'
