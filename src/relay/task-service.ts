import { newEnvelopeId, FrameKind } from '../envelope/index.js'
import type { Frame } from '../pb/agentmesh.js'
import type { OutboxStore } from '../store/index.js'
import { taskLogFields, type Logger, type Metrics } from '../telemetry/index.js'
import { FINAL_REJECTIONS, RETRY_INITIAL_MS, RETRY_MAX_MS } from './constants.js'
import { AnswerRefusedError, DeadlineExceededError, RelayRejectedError } from './errors.js'
import type { OutgoingTask, RelaySender } from './sender.js'
import { NO_CLOCK, type StageClock } from './stage-clock.js'
import { AbortGroup } from '../signals/index.js'

/** What {@link TaskService} needs. */
export interface TaskServiceInit {
  sender: RelaySender
  outbox: OutboxStore
  metrics: Metrics
  log: Logger
  now: () => number
  taskDeadlineMs: number
  /** Records a decision about an outgoing task (the audit log), inside the transaction of its outbox write. */
  audit?: (task: OutgoingTask, decision: string, reason?: string, detail?: string) => void
  /** Runs outbox writes and their audit record in one transaction (default: no transaction). */
  transaction?: <T>(fn: () => T) => T
}

/** A task to send, as the API hands it over; `id` may be chosen by the caller (a delegation link names it). */
export type TaskRequest = Omit<OutgoingTask, 'id' | 'deadlineMs'> & { id?: Uint8Array }

const decoder = new TextDecoder()
const encoder = new TextEncoder()

/**
 * Exactly-once sending: a task is stored in the outbox before anything else,
 * then transmitted — re-sealed with a fresh nonce on each retry, with back-off
 * — until the receiver answers, refuses for good, or the deadline passes. The
 * receiver de-duplicates by task id, so retries never reach the agent twice.
 */
export class TaskService {
  private readonly init: TaskServiceInit
  private readonly stopped = new AbortController()
  private readonly inFlight = new AbortGroup()
  private readonly background = new Set<Promise<void>>()

  constructor (init: TaskServiceInit) {
    this.init = init
  }

  /**
   * Stores the task, then delivers it. `onFrame` sees each answer frame once
   * (RESULT or EVENT payloads as text); frames a retry repeats are skipped.
   */
  async submit (req: TaskRequest, onFrame: (kind: 'RESULT' | 'EVENT', payload: string) => void | Promise<void>, signal: AbortSignal, clock: StageClock = NO_CLOCK): Promise<void> {
    const now = this.init.now()
    const task: OutgoingTask = { ...req, id: req.id ?? newEnvelopeId(), deadlineMs: now + this.init.taskDeadlineMs }
    this.tx(() => {
      this.init.outbox.insert({ ...task, createdMs: now })
      this.init.audit?.(task, 'sent')
    })
    clock.mark('outbox')
    // Stopping the service ends the caller's wait too (see AbortGroup for why not AbortSignal.any).
    const linked = this.inFlight.join(signal)
    try {
      await this.deliver(task, onFrame, linked.signal, clock)
    } finally {
      linked.clear()
    }
  }

  private tx<T> (fn: () => T): T {
    return this.init.transaction != null ? this.init.transaction(fn) : fn()
  }

  /** Finishes a task in the outbox and records it, in one transaction. */
  private finish (task: OutgoingTask, state: 'done' | 'failed', result: Uint8Array | null, error: { code: string, message: string } | null): void {
    this.tx(() => {
      this.init.outbox.finish(task.id, state, result, error == null ? null : `${error.code}: ${error.message}`, this.init.now())
      this.init.audit?.(task, state === 'done' ? 'answered' : 'failed', error?.code, error?.message)
    })
  }

  /** Resumes the tasks a previous run accepted but did not finish; runs in the background. */
  resume (): number {
    const open = this.init.outbox.open()
    for (const r of open) {
      const run = this.deliver(r, () => {}, this.stopped.signal).catch(() => {})
      this.background.add(run)
      void run.finally(() => this.background.delete(run))
    }
    if (open.length > 0) this.init.log.info({ count: open.length }, 'resuming unfinished outgoing tasks')
    return open.length
  }

  /** How many outgoing tasks are in each state. */
  stats (): Record<string, number> {
    return this.init.outbox.counts()
  }

  /** Stops retrying; unfinished tasks stay in the outbox for the next run. */
  async stop (): Promise<void> {
    this.stopped.abort()
    this.inFlight.abort()
    await Promise.allSettled([...this.background])
  }

  private async deliver (task: OutgoingTask, onFrame: (kind: 'RESULT' | 'EVENT', payload: string) => void | Promise<void>, signal: AbortSignal, clock: StageClock = NO_CLOCK): Promise<void> {
    const { sender, outbox, metrics, log, now } = this.init
    let forwarded = 0
    let result: string | null = null
    let delay = RETRY_INITIAL_MS
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) outbox.markAttempt(task.id, now())
      let seen = 0
      try {
        await sender.send(task, async (frame: Frame) => {
          // The ACK is not written down: a retry of an acknowledged task is answered from the receiver's inbox anyway.
          if (frame.kind === FrameKind.ACK) return
          if (frame.kind !== FrameKind.RESULT && frame.kind !== FrameKind.EVENT) return
          // A retry replays the stored answer from its start: skip what the caller already has.
          if (seen++ < forwarded) return
          forwarded++
          const text = decoder.decode(frame.payload)
          if (frame.kind === FrameKind.RESULT) result = text
          try {
            await onFrame(frame.kind === FrameKind.RESULT ? 'RESULT' : 'EVENT', text)
            clock.mark('answer')
          } catch (err) {
            // The caller's side refused this answer (an inspection veto): final, never retried,
            // or a retry would skip the refused frame and hand over the rest.
            throw new AnswerRefusedError(err)
          }
        }, signal, clock)
        this.finish(task, 'done', result == null ? null : encoder.encode(result), null)
        clock.mark('finish')
        metrics.tasksSent.inc({ outcome: 'delivered' })
        return
      } catch (err) {
        if (err instanceof AnswerRefusedError) {
          const cause = err.cause as Error
          this.finish(task, 'failed', null, { code: (cause as { code?: string }).code ?? 'REFUSED', message: cause.message })
          metrics.tasksSent.inc({ outcome: 'refused' })
          throw cause
        }
        if (signal.aborted) throw err
        if (err instanceof RelayRejectedError && FINAL_REJECTIONS.has(err.code)) {
          this.finish(task, 'failed', null, { code: err.code, message: err.message })
          metrics.tasksSent.inc({ outcome: 'rejected' })
          throw err
        }
        if (now() + delay >= task.deadlineMs) {
          const final = new DeadlineExceededError(`task to ${task.toAgent}@${task.toPeer} not delivered before its deadline (${attempt} attempts; last: ${(err as Error).message})`)
          this.finish(task, 'failed', null, { code: final.code, message: final.message })
          metrics.tasksSent.inc({ outcome: 'expired' })
          throw final
        }
        log.debug({ attempt, remotePeer: task.toPeer, err: (err as Error).message, ...taskLogFields(task) }, 'task transmission failed; retrying')
        await sleep(delay, signal)
        delay = Math.min(delay * 2, RETRY_MAX_MS)
      }
    }
  }
}

async function sleep (ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = (): void => { clearTimeout(t); reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
