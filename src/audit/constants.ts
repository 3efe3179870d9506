/** Signature domain of an audit checkpoint: ASCII, NUL-terminated, then the checkpoint's canonical JSON. */
export const CHECKPOINT_DOMAIN: Uint8Array = new TextEncoder().encode('agentmesh/audit-checkpoint/v1\0')

/** The `format` of an export's header line. */
export const EXPORT_FORMAT = 'agentmesh-audit/1'

/** A checkpoint is signed after this many records by default. */
export const DEFAULT_CHECKPOINT_EVERY = 256

/** A checkpoint is signed this often (ms) by default while records keep coming. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000

/** Largest `checkpointEvery` accepted: a bound on how much of the log can be unsigned. */
export const MAX_CHECKPOINT_EVERY = 1_000_000

/** The prev hash of the very first record: 32 zero bytes. */
export const GENESIS_HASH: Buffer = Buffer.alloc(32)

/** Length of a record hash (SHA-256) in bytes. */
export const HASH_BYTES = 32

/** What a decision looks like: lower-case words joined by `_`, e.g. `inspection_veto`. */
export const DECISION_PATTERN = /^[a-z][a-z_]{0,63}$/

/**
 * How far from a tampered record's current seq the verifier looks for the seq
 * it was hashed with (to tell a moved record from an edited one). Only spent
 * on the first bad record, never on a good log.
 */
export const SEQ_SEARCH_RADIUS = 16
