import type { TaskStage } from '../telemetry/index.js'

/** Records how long one stage of a task took (seconds), e.g. into a histogram. */
export type StageObserver = (stage: TaskStage, seconds: number) => void

/**
 * Times the stages of one task on one daemon: each {@link mark} records the
 * time since the previous mark (or the start) under the stage's name. One
 * clock per task, no timers: two `performance.now()` calls per stage.
 */
export class StageClock {
  private last: number

  constructor (private readonly observe: StageObserver | undefined, start = performance.now()) {
    this.last = start
  }

  /** Ends stage `stage` now. */
  mark (stage: TaskStage): void {
    const now = performance.now()
    this.observe?.(stage, (now - this.last) / 1000)
    this.last = now
  }

  /** Restarts the clock without recording (time spent waiting on something that is not a stage). */
  skip (): void {
    this.last = performance.now()
  }
}

/** A clock that records nothing. */
export const NO_CLOCK = new StageClock(undefined)
