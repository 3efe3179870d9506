/** The libp2p protocol id of the A2A relay (see docs/relay-protocol.md). */
export const A2A_PROTOCOL = '/agentmesh/a2a/1.0.0'

/** The internal method that asks a daemon for one of its agents' cards. */
export const CARD_METHOD = 'agentmesh/card'

/** JSON-RPC methods whose answer is a stream of events (SSE). */
export const STREAMING_METHODS: ReadonlySet<string> = new Set(['SendStreamingMessage', 'SubscribeToTask'])

/**
 * Largest length-prefixed chunk on the wire; a bigger message spans several
 * (see message-stream.ts). A protocol constant: both ends must agree on it.
 */
export const CHUNK_BYTES = 1024 * 1024

/** Largest relay message (envelope or frame) unless `relay.maxMessageBytes` says otherwise. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024

/** Room kept for a frame's own fields and signature around an agent's answer. */
export const FRAME_OVERHEAD_BYTES = 4 * 1024

/** How long a receiver waits for the envelope after a stream opens. */
export const ENVELOPE_READ_TIMEOUT_MS = 10_000

/** How long a receiver keeps an idle relay stream open for the sender's next task. */
export const STREAM_IDLE_TIMEOUT_MS = 60_000

/** How long a sender keeps an idle relay stream for reuse (shorter than the receiver's, so the sender closes first). */
export const POOL_IDLE_MS = 30_000

/** Idle relay streams kept per peer. */
export const POOL_MAX_IDLE_PER_PEER = 64

/** How long a stopping daemon lets its agents finish the tasks they hold. */
export const STOP_GRACE_MS = 5_000

/**
 * A receiver sends ACK only if the agent has not answered within this time;
 * an answer implies it. The ACK only tells the sender to stop waiting for the
 * receiver under {@link ACK_TIMEOUT_MS} and wait for the agent instead; the
 * sender writes nothing down for it. Under load an agent's answer often takes
 * tens of milliseconds (it queues), and at 20 ms nearly every task cost one
 * more signed frame, one more verification and one more write and wake-up on
 * each side (measured: the ACK's signature and verification were ≈ 10 % of the
 * daemons' CPU at 16 callers). At 1 s, only slow agents get one.
 */
export const ACK_DELAY_MS = 1_000

/** How long a sender waits for the receiver's ACK (or a rejection). */
export const ACK_TIMEOUT_MS = 15_000

/** Inbound relay streams per connection (libp2p's default of 32 is too few under load). */
export const MAX_INBOUND_STREAMS = 512

/** Outbound relay streams per connection. */
export const MAX_OUTBOUND_STREAMS = 512

/** Tasks from one peer being delivered at once; more are refused with RATE_LIMITED. */
export const DEFAULT_PER_PEER_CONCURRENCY = 256

/** HTTP calls in flight to one local agent; more tasks wait in the inbox as 'received'. */
export const AGENT_CONCURRENCY = 32

/** How long a task may wait for delivery (retries included) unless configured otherwise. */
export const DEFAULT_TASK_DEADLINE_MS = 120_000

/** Retry back-off: first delay and ceiling. */
export const RETRY_INITIAL_MS = 100
export const RETRY_MAX_MS = 2_000

/** Rejections after which a retry cannot succeed. */
export const FINAL_REJECTIONS: ReadonlySet<string> = new Set([
  'AGENT_NOT_FOUND', 'RECIPIENT_MISMATCH', 'SENDER_MISMATCH', 'BAD_SIGNATURE', 'MALFORMED', 'OVERSIZED',
  // The receiver stores an agent's failure in its inbox and answers every retry with it: final too.
  'DELIVERY_INTERRUPTED', 'AGENT_UNREACHABLE', 'AGENT_ERROR', 'DEADLINE_EXCEEDED',
  'POLICY_DENIED', 'PEER_NOT_CERTIFIED', 'SENDER_NOT_CERTIFIED', 'NOT_CERTIFIED', 'DELEGATION_INVALID',
  // Inspection vetoes: the same content would be vetoed again (a guard that is down fails closed too).
  'SCHEMA_INVALID', 'CONTENT_DENIED', 'TOO_MANY_PARTS', 'PART_TOO_LARGE', 'SKILL_NOT_ALLOWED', 'GUARD_VETO', 'GUARD_UNAVAILABLE'
])

/**
 * Least time between two DHT lookups of one peer after dials of it failed: a
 * lookup walks the DHT, and a dead peer should not cost one per retry of every task.
 */
export const ROUTE_REFRESH_INTERVAL_MS = 5_000
