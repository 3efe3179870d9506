const ascii = new TextEncoder()

/** Signature domain of an Envelope inside a Signed: ASCII, NUL-terminated. */
export const ENVELOPE_DOMAIN: Uint8Array = ascii.encode('agentmesh/envelope/v1\0')

/** Signature domain of a Frame inside a Signed: ASCII, NUL-terminated. */
export const FRAME_DOMAIN: Uint8Array = ascii.encode('agentmesh/frame/v1\0')

/** Length of an envelope id (bytes). */
export const ID_BYTES = 16

/** Length of a nonce (bytes). */
export const NONCE_BYTES = 16

/** Length of an Ed25519 signature (bytes). */
export const SIGNATURE_BYTES = 64

/** Largest encoded Signed envelope accepted by default (bytes). */
export const DEFAULT_MAX_ENVELOPE_BYTES = 1024 * 1024

/** Largest encoded Signed frame accepted by default (bytes). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024

/** Public keys of remote peers kept as ready-to-use key objects by default. */
export const DEFAULT_MAX_CACHED_KEYS = 1024

/** Accepted difference between a sender's timestamp and our clock, either way (ms). */
export const DEFAULT_CLOCK_SKEW_MS = 30_000

/** How far below the highest accepted sequence number a late envelope may arrive. */
export const DEFAULT_SEQ_WINDOW = 1024

/** Sequence numbers reserved per database write on the sending side. */
export const DEFAULT_SEQ_BLOCK_SIZE = 1000

/** Minimum time between two prunes of the seen-nonce table (ms). */
export const DEFAULT_PRUNE_INTERVAL_MS = 1_000

/** Most seen nonces deleted by one prune, so one prune never stalls a check. */
export const DEFAULT_PRUNE_BATCH = 10_000
