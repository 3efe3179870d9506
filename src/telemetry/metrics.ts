import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { DHT_BUCKETS, LATENCY_BUCKETS, TASK_STAGES, type TaskStage } from './constants.js'

/** A libp2p connection, as far as the connection gauge looks at it. */
export interface ConnectionLike {
  /** Set on a limited (relayed) connection. */
  limits?: unknown
  remoteAddr: { toString: () => string }
}

/** What the gauges read at scrape time; set once the parts exist, with {@link Metrics.observe}. */
export interface MetricSources {
  /** The open libp2p connections. */
  connections?: () => Iterable<ConnectionLike>
  /** Peers in the DHT routing table. */
  dhtRoutingTableSize?: () => number
  /** Outgoing tasks not yet finished, and when the oldest of them was accepted. */
  outboxBacklog?: () => { pending: number, oldestCreatedMs: number | null }
  /** The clock the outbox times come from (default `Date.now`). */
  now?: () => number
}

/** Options for {@link createMetrics}. */
export interface MetricsInit {
  /**
   * Node.js process metrics (`process_*`, `nodejs_*`). Default true; turn it
   * off where many daemons share one process (they would all report the same process).
   */
  processMetrics?: boolean
}

/** Stops a timer and records the time it ran. */
export type StopTimer = () => void

/** The daemon's Prometheus metrics, in a registry of its own (no global state). */
export interface Metrics {
  registry: Registry
  envelopesReceived: Counter
  envelopesRejected: Counter<'reason'>
  tasksSent: Counter<'outcome'>
  tasksDelivered: Counter<'outcome'>
  /** Open libp2p connections, by path (`direct` or `relayed`); read at scrape time. */
  connections: Gauge<'path'>
  /** Peers refused at hello (no, bad, expired, revoked … certificate), by reason. */
  peersRefused: Counter<'reason'>
  /** Hello exchanges completed with a verified peer. */
  peersVerified: Counter
  /** Calls denied by the hierarchy policy, by side (egress: the sender; ingress: the receiver) and rule. */
  policyDenied: Counter<'side' | 'rule'>
  /** Directory answers and agent cards ignored because the signer is not certified for the name, by reason. */
  directoryRejected: Counter<'reason'>
  /**
   * Every decision about a task, as the audit log names it (`sent`, `answered`, `delivered`,
   * `replay`, `denied`, `bad_signature`, …), by side (`sender`, `receiver`) and reason code.
   */
  taskDecisions: Counter<'side' | 'decision' | 'reason'>
  /** Whole tasks: on the sender from acceptance to the final answer or failure; on the receiver from storing to the agent's answer. */
  taskDuration: Histogram<'side' | 'outcome'>
  /** One stage of a task's path (see {@link TASK_STAGES}). */
  taskStage: Histogram<'stage'>
  /** DHT operations (find peer, find providers, provide, closest peers …), by outcome. */
  dhtOperations: Histogram<'operation' | 'outcome'>
  /** Outgoing tasks not yet finished (read from the outbox at scrape time). */
  outboxPending: Gauge
  /** Age of the oldest unfinished outgoing task, in seconds (read at scrape time). */
  outboxOldestAge: Gauge
  /** Peers in the DHT routing table (read at scrape time). */
  dhtRoutingTableSize: Gauge
  /** Starts timing `stage` of one task; the returned function records the time when the stage ends. */
  stageTimer: (stage: TaskStage) => StopTimer
  /** Records that `stage` took `seconds`. */
  observeStage: (stage: TaskStage, seconds: number) => void
  /** Tells the scrape-time gauges where to read (later calls add to or replace earlier sources). */
  observe: (sources: MetricSources) => void
}

/** Whether a connection runs through a circuit relay. */
export function isRelayed (conn: ConnectionLike): boolean {
  return conn.limits != null || conn.remoteAddr.toString().includes('/p2p-circuit')
}

/** Creates the metrics in a new registry. */
export function createMetrics (init: MetricsInit = {}): Metrics {
  const registry = new Registry()
  // Process metrics keep their conventional names (process_cpu_seconds_total, nodejs_heap_size_used_bytes …).
  if (init.processMetrics !== false) collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const sources: MetricSources = {}

  const taskStage = new Histogram({
    name: 'agentmesh_task_stage_seconds', help: 'Time a task spends in one stage of its path, by stage', labelNames: ['stage'], buckets: LATENCY_BUCKETS, registers
  })
  // One child per stage, resolved once: observing is then a plain call on the hot path.
  const stages = new Map(TASK_STAGES.map((s) => [s, taskStage.labels({ stage: s })]))
  const observeStage = (stage: TaskStage, seconds: number): void => { (stages.get(stage) ?? taskStage.labels({ stage })).observe(seconds) }

  return {
    registry,
    envelopesReceived: new Counter({ name: 'agentmesh_envelopes_received_total', help: 'Task envelopes received from peers', registers }),
    envelopesRejected: new Counter({ name: 'agentmesh_envelopes_rejected_total', help: 'Task envelopes refused, by reason', labelNames: ['reason'], registers }),
    tasksSent: new Counter({ name: 'agentmesh_tasks_sent_total', help: 'Tasks sent to remote agents, by outcome', labelNames: ['outcome'], registers }),
    tasksDelivered: new Counter({ name: 'agentmesh_tasks_delivered_total', help: 'Tasks delivered to local agents, by outcome', labelNames: ['outcome'], registers }),
    connections: new Gauge({
      name: 'agentmesh_connections', help: 'Open libp2p connections, by path (direct or relayed)', labelNames: ['path'], registers,
      collect () {
        let direct = 0
        let relayed = 0
        for (const c of sources.connections?.() ?? []) {
          if (isRelayed(c)) relayed++
          else direct++
        }
        this.set({ path: 'direct' }, direct)
        this.set({ path: 'relayed' }, relayed)
      }
    }),
    peersRefused: new Counter({ name: 'agentmesh_peers_refused_total', help: 'Peers refused at hello, by reason', labelNames: ['reason'], registers }),
    peersVerified: new Counter({ name: 'agentmesh_peers_verified_total', help: 'Hello exchanges that verified the peer\'s certificate', registers }),
    policyDenied: new Counter({ name: 'agentmesh_policy_denied_total', help: 'Calls denied by the hierarchy policy, by side and rule', labelNames: ['side', 'rule'], registers }),
    directoryRejected: new Counter({ name: 'agentmesh_directory_rejected_total', help: 'Directory answers or agent cards ignored: signer not certified for the name', labelNames: ['reason'], registers }),
    taskDecisions: new Counter({
      name: 'agentmesh_task_decisions_total', help: 'Decisions about tasks as the audit log records them, by side, decision and reason code', labelNames: ['side', 'decision', 'reason'], registers
    }),
    taskDuration: new Histogram({
      name: 'agentmesh_task_duration_seconds',
      help: 'Whole tasks: sender, from acceptance to the final answer or failure; receiver, from storing to the agent\'s answer',
      labelNames: ['side', 'outcome'], buckets: LATENCY_BUCKETS, registers
    }),
    taskStage,
    dhtOperations: new Histogram({
      name: 'agentmesh_dht_operation_duration_seconds', help: 'DHT operations (FIND_PEER, FIND_PROVIDERS, PROVIDE, GET_CLOSEST_PEERS …), by outcome', labelNames: ['operation', 'outcome'], buckets: DHT_BUCKETS, registers
    }),
    stageTimer: (stage) => {
      const started = performance.now()
      return () => { observeStage(stage, (performance.now() - started) / 1000) }
    },
    observeStage,
    observe: (more) => { Object.assign(sources, more) },
    outboxPending: new Gauge({
      name: 'agentmesh_outbox_pending_tasks', help: 'Outgoing tasks accepted and not yet answered or failed', registers,
      collect () { this.set(sources.outboxBacklog?.().pending ?? 0) }
    }),
    outboxOldestAge: new Gauge({
      name: 'agentmesh_outbox_oldest_pending_age_seconds', help: 'Age of the oldest outgoing task not yet answered or failed (0 when there is none)', registers,
      collect () {
        const oldest = sources.outboxBacklog?.().oldestCreatedMs
        this.set(oldest == null ? 0 : Math.max(0, ((sources.now ?? Date.now)() - oldest) / 1000))
      }
    }),
    dhtRoutingTableSize: new Gauge({
      name: 'agentmesh_dht_routing_table_size', help: 'Peers in the DHT routing table', registers,
      collect () { this.set(sources.dhtRoutingTableSize?.() ?? 0) }
    })
  }
}
