/**
 * The stages of a task's path that {@link Metrics.stageTimer} times, in the
 * order a task meets them: on the calling daemon the API receives the call,
 * resolves the agent, checks the policy, seals the envelope, stores it in the
 * outbox and sends it; on the receiving daemon it is verified, checked against
 * the replay window, inspected and delivered, and the answer goes back.
 * A fixed list, so the `stage` label stays small.
 */
export const TASK_STAGES = [
  'api_receive', 'resolve', 'policy', 'seal', 'outbox', 'send',
  'verify', 'replay', 'inspection', 'deliver', 'answer'
] as const

/** One of {@link TASK_STAGES}. */
export type TaskStage = typeof TASK_STAGES[number]

/**
 * Histogram buckets for task latencies, in seconds: from 50 µs (one stage on
 * loopback) to two minutes (the default task deadline).
 */
export const LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
]

/** Histogram buckets for DHT operations, in seconds (lookups wait up to `dht.queryTimeoutMs`). */
export const DHT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180]

/**
 * Tasks whose start was seen but whose end was not yet (for the end-to-end
 * histograms) are forgotten beyond this many, oldest first, so that a task that
 * never finishes in this run cannot grow memory.
 */
export const MAX_TIMED_TASKS = 65_536
