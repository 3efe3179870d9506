/**
 * The base of every error agentmesh raises on purpose. `code` is stable and
 * machine-readable (it travels in API error bodies and audit records); compare
 * errors by `code` or `name`, never by message text.
 */
export class AgentmeshError extends Error {
  /** Stable, machine-readable reason, e.g. `KEY_PERMISSIONS`. */
  readonly code: string

  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** True when `err` is an {@link AgentmeshError} with the given code. */
export function hasCode (err: unknown, code: string): boolean {
  return err instanceof AgentmeshError && err.code === code
}

/** The message of anything thrown, for logs and user-facing output. */
export function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
