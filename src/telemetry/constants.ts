/**
 * The stages of a task's path that {@link Metrics.stageTimer} times, in the
 * order a task meets them. On the calling daemon: the API reads the call
 * (`api_receive`), resolves the agent, opens or extends the delegation chain,
 * checks the policy, stores the task in the outbox, takes a relay stream,
 * seals and sends the envelope; then waits for the answer (`remote`: the other
 * daemon's work plus the network both ways), verifies the answer's signature,
 * inspects it and writes it to the caller (`answer`), and marks the task done
 * (`finish`). On the receiving daemon: the envelope is decoded and its
 * signature verified (`verify`), the certificate, chain and policy checked
 * (`admit`), the request inspected, the replay window and inbox claim
 * committed (`replay`), the agent called (`deliver`, until its answer), the
 * signed answer sent (`reply`) and stored (`store`).
 * A fixed list, so the `stage` label stays small.
 */
export const TASK_STAGES = [
  // The calling daemon, in order.
  'api_receive', 'resolve', 'delegation', 'policy', 'outbox', 'stream', 'seal', 'send',
  'remote', 'verify_answer', 'answer', 'finish',
  // The receiving daemon, in order.
  'verify', 'admit', 'inspection', 'replay', 'deliver', 'reply', 'store'
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

/** The instrumentation scope of every agentmesh span. */
export const TRACER_NAME = 'agentmesh'

/**
 * Attribute names of agentmesh spans (and, for `peer`, of the resource):
 * `agentmesh.task_id` is the task id as the audit log and the logs show it.
 */
export const SPAN_ATTRIBUTES = {
  peer: 'agentmesh.peer',
  taskId: 'agentmesh.task_id',
  from: 'agentmesh.from',
  to: 'agentmesh.to',
  method: 'agentmesh.method',
  errorCode: 'agentmesh.error_code'
} as const

/** How long one OTLP export may take (the exporter retries within it). */
export const TRACE_EXPORT_TIMEOUT_MS = 10_000

/** How long a stopping daemon waits for its last spans to be exported. */
export const TRACE_SHUTDOWN_TIMEOUT_MS = 5_000

/** Failed trace exports are logged at most this often. */
export const EXPORT_WARN_INTERVAL_MS = 60_000
