import type { TaskStage } from '../telemetry/index.js'

/** Records how long one stage of a task took (seconds), e.g. into a histogram. */
export type StageObserver = (stage: TaskStage, seconds: number) => void

/** One task's span in a trace (see Tracing in src/telemetry): the clock reports each stage to it. */
export interface StageSpan {
  /** A finished child span for `stage`, from `startMs` to `endMs` (`performance.now()` values). */
  stage: (stage: string, startMs: number, endMs: number) => void
  /** The W3C trace context of this span, for the next hop. */
  readonly traceparent: string
  readonly tracestate?: string
  /** Ends the task's span; with an error, marks it failed. */
  end: (error?: { code: string, message: string }) => void
}

/** Starts task spans; absent or returning undefined when tracing is off. */
export interface TaskTracer {
  startTask: (side: 'send' | 'receive', parent: { traceparent?: string, tracestate?: string }, attributes: Record<string, string | number>, startMs?: number) => StageSpan | undefined
}

/**
 * Times the stages of one task on one daemon: each {@link mark} records the
 * time since the previous mark (or the start) under the stage's name, in the
 * stage histogram and, once a span is attached, as a child span of the task's
 * trace. One clock per task, no timers: two `performance.now()` calls per stage.
 */
export class StageClock {
  /** When the clock started (`performance.now()`). */
  readonly startedMs: number
  private last: number
  private span: StageSpan | undefined
  private failure: { code: string, message: string } | undefined

  constructor (private readonly observe: StageObserver | undefined, start = performance.now()) {
    this.startedMs = start
    this.last = start
  }

  /** Ends stage `stage` now. */
  mark (stage: TaskStage): void {
    const now = performance.now()
    this.observe?.(stage, (now - this.last) / 1000)
    this.span?.stage(stage, this.last, now)
    this.last = now
  }

  /** Restarts the clock without recording (time spent waiting on something that is not a stage). */
  skip (): void {
    this.last = performance.now()
  }

  /** Reports the following stages (and the end) to `span` too. */
  attach (span: StageSpan | undefined): void {
    this.span = span
  }

  /** The task's span, if tracing is on. */
  get traced (): StageSpan | undefined {
    return this.span
  }

  /** Remembers why the task failed here, for {@link end}. */
  fail (code: string, message: string): void {
    this.failure ??= { code, message }
  }

  /** Ends the task's span (once). */
  end (): void {
    const span = this.span
    this.span = undefined
    span?.end(this.failure)
  }
}

/** A clock that records nothing. */
export const NO_CLOCK = new StageClock(undefined)
