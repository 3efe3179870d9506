/** A counting semaphore: at most `limit` holders at once, the rest wait in order. */
export class Semaphore {
  private active = 0
  private readonly waiting: Array<() => void> = []

  constructor (private readonly limit: number) {}

  /** Waits for a slot; call the returned function exactly once to free it. */
  async acquire (): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.active++
    return this.releaser()
  }

  /** A slot now, or undefined if all are taken (never waits). */
  tryAcquire (): (() => void) | undefined {
    if (this.active >= this.limit) return undefined
    this.active++
    return this.releaser()
  }

  private releaser (): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      if (next != null) next()
      else this.active--
    }
  }
}
