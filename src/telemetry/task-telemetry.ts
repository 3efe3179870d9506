import type { Logger } from 'pino'
import { MAX_TIMED_TASKS } from './constants.js'
import type { Metrics } from './metrics.js'

/** One decision about a task, as the audit log records it (the fields telemetry reads). */
export interface TaskDecision {
  decision: string
  reason?: string
  rule?: string
  fromAgent?: string
  fromPeer?: string
  toAgent?: string
  toPeer?: string
  taskId?: string
  traceId?: string
  detail?: string
}

/** Something that records task decisions: the audit log, or a stand-in. */
export interface DecisionSink<E extends TaskDecision = TaskDecision, R = unknown> {
  append: (entry: E) => R
}

/** What {@link observeTaskDecisions} needs. */
export interface TaskTelemetryInit {
  metrics: Metrics
  log: Logger
  /** This daemon's peer ID: decides on which side of a task a decision was taken. */
  localPeer: string
  /** Monotonic clock in milliseconds (default `performance.now`). */
  clock?: () => number
}

/** Decisions on a task's normal path; anything else is a refusal or a failure. */
const ROUTINE = new Set(['sent', 'accepted', 'answered', 'delivered'])
/** The decision that starts a task, per side, and the ones that end it (with their outcome). */
const STARTS: Record<string, string> = { sender: 'sent', receiver: 'accepted' }
const ENDS: Record<string, Record<string, 'ok' | 'failed'>> = {
  sender: { answered: 'ok', failed: 'failed' },
  receiver: { delivered: 'ok', delivery_failed: 'failed' }
}

/**
 * Wraps the audit sink the task services write to, so that every decision
 * about a task (sent, accepted, delivered, answered, refused for a replay, a
 * bad signature, a certificate, the policy, a chain, inspection, a rate limit,
 * failed …) is also counted in `agentmesh_task_decisions_total{side,decision,reason}`,
 * timed end to end in `agentmesh_task_duration_seconds`, and logged as one JSON
 * line carrying the peer, agent, task and trace ids. Routine decisions log at
 * `debug`, refusals and failures at `warn`.
 */
export function observeTaskDecisions<E extends TaskDecision, R> (sink: DecisionSink<E, R>, init: TaskTelemetryInit): DecisionSink<E, R> {
  const { metrics, log, localPeer } = init
  const clock = init.clock ?? (() => performance.now())
  const started = new Map<string, number>()
  return {
    append: (entry) => {
      const out = sink.append(entry)
      const side = entry.fromPeer === localPeer ? (entry.toPeer === localPeer ? 'local' : 'sender') : 'receiver'
      metrics.taskDecisions.inc({ side, decision: entry.decision, reason: entry.reason ?? '' })
      const key = entry.taskId !== undefined ? `${entry.fromPeer ?? ''}/${entry.taskId}` : undefined
      if (key !== undefined && STARTS[side] === entry.decision) {
        started.set(key, clock())
        if (started.size > MAX_TIMED_TASKS) started.delete(started.keys().next().value as string)
      }
      const outcome = ENDS[side]?.[entry.decision]
      if (key !== undefined && outcome !== undefined) {
        const t0 = started.get(key)
        if (t0 !== undefined) {
          started.delete(key)
          metrics.taskDuration.observe({ side, outcome }, (clock() - t0) / 1000)
        }
      }
      const routine = ROUTINE.has(entry.decision)
      if (log.isLevelEnabled(routine ? 'debug' : 'warn')) {
        const fields = {
          side, decision: entry.decision, task: entry.taskId, trace: entry.traceId,
          fromPeer: entry.fromPeer, fromAgent: entry.fromAgent, toPeer: entry.toPeer, toAgent: entry.toAgent,
          reason: entry.reason, rule: entry.rule, detail: entry.detail
        }
        if (routine) log.debug(fields, `task ${entry.decision}`)
        else log.warn(fields, `task ${entry.decision}${entry.reason !== undefined ? ` (${entry.reason})` : ''}`)
      }
      return out
    }
  }
}

/** What {@link taskLogFields} reads from a task or an envelope. */
export interface TaskIds {
  id: Uint8Array | string
  fromPeer?: string
  fromAgent?: string
  toPeer?: string
  toAgent?: string
  /** W3C traceparent; its trace id is logged as `trace`. */
  traceparent?: string
}

/**
 * The id fields every task log line carries, named as the task decision lines
 * name them (`task`, `trace`, `fromPeer`, `fromAgent`, `toPeer`, `toAgent`),
 * for spreading into a log call: `log.debug({ attempt, ...taskLogFields(task) }, '…')`.
 */
export function taskLogFields (t: TaskIds): Record<string, string> {
  const out: Record<string, string> = { task: typeof t.id === 'string' ? t.id : Buffer.from(t.id).toString('hex') }
  const trace = t.traceparent?.split('-')[1]
  if (trace != null && trace.length === 32) out.trace = trace
  if (t.fromPeer !== undefined) out.fromPeer = t.fromPeer
  if (t.fromAgent !== undefined) out.fromAgent = t.fromAgent
  if (t.toPeer !== undefined) out.toPeer = t.toPeer
  if (t.toAgent !== undefined) out.toAgent = t.toAgent
  return out
}
