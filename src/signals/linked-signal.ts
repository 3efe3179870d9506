/** A signal tied to a parent and, optionally, a deadline; `clear()` unties it. */
export interface LinkedSignal {
  readonly signal: AbortSignal
  /** Removes the listener on the parent and the timer; call it when the work is done. */
  clear: () => void
}

/**
 * An abort signal that aborts when `parent` does or, with `timeoutMs`, when
 * that much time has passed (reason: a `TimeoutError` DOMException, as
 * `AbortSignal.timeout` gives).
 *
 * Per-task code uses this instead of `AbortSignal.any([parent, …])`: Node
 * keeps every composite signal made from a long-lived parent (a daemon's
 * "stopped" signal, say) in a set on that parent, and a finalizer sweeps the
 * whole set each time one of them is collected, so under load that sweep
 * grows with the number of tasks (measured: 14 % of a busy daemon's CPU).
 * Here the parent holds one listener while the work runs, and none after.
 */
export function linkedSignal (parent: AbortSignal | undefined, timeoutMs?: number): LinkedSignal {
  const { controller, clear } = link(parent, timeoutMs)
  return { signal: controller.signal, clear }
}

function link (parent: AbortSignal | undefined, timeoutMs: number | undefined, onClear?: () => void): { controller: AbortController, clear: () => void } {
  const controller = new AbortController()
  if (parent?.aborted === true) {
    controller.abort(parent.reason)
    return { controller, clear: () => { onClear?.() } }
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const clear = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    parent?.removeEventListener('abort', onAbort)
    onClear?.()
  }
  const onAbort = (): void => { clear(); controller.abort(parent?.reason) }
  parent?.addEventListener('abort', onAbort, { once: true })
  if (timeoutMs !== undefined) {
    timer = setTimeout(() => { clear(); controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')) }, timeoutMs)
  }
  return { controller, clear }
}

/**
 * Work that one event aborts together: a long-lived service keeps its
 * in-flight work here instead of linking each piece to a shared "stopped"
 * signal (see {@link linkedSignal} for why).
 */
export class AbortGroup {
  private readonly members = new Set<AbortController>()
  private reason: unknown
  private aborted = false

  /**
   * A signal that aborts when the group does, when `parent` does, or after
   * `timeoutMs`; `clear()` it when the work ends.
   */
  join (parent?: AbortSignal, timeoutMs?: number): LinkedSignal {
    const { controller, clear } = link(parent, timeoutMs, () => { this.members.delete(controller) })
    if (this.aborted) controller.abort(this.reason)
    else if (!controller.signal.aborted) this.members.add(controller)
    return { signal: controller.signal, clear }
  }

  /** Aborts every member, and every later one at once. */
  abort (reason?: unknown): void {
    this.aborted = true
    this.reason = reason ?? new DOMException('aborted', 'AbortError')
    const members = [...this.members]
    this.members.clear()
    for (const c of members) c.abort(this.reason)
  }

  /** Whether {@link abort} was called. */
  get isAborted (): boolean {
    return this.aborted
  }

  /** Members in flight (for tests and metrics). */
  get size (): number {
    return this.members.size
  }
}
