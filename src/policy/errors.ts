import { AgentmeshError } from '../errors.js'

/**
 * Stable reasons for a {@link PolicyError}:
 *
 * - `INVALID_POLICY` — a policy document that does not parse or validate
 * - `INVALID_PRINCIPAL` — a principal spec (`NAME:ROLE[:PARENT]`) that is malformed
 */
export type PolicyErrorCode = 'INVALID_POLICY' | 'INVALID_PRINCIPAL'

/**
 * A policy document or principal spec that cannot be used. `path` names the
 * offending place in the document (e.g. `rules[2].from.rol`), `''` for the
 * whole document or a principal spec; `line` is set for syntax errors.
 */
export class PolicyError extends AgentmeshError {
  declare readonly code: PolicyErrorCode
  /** Where in the document, e.g. `rules[2].from.rol`; `''` when not in a document. */
  readonly path: string
  /** The 1-based line of a syntax error, if any. */
  readonly line: number | undefined

  constructor (code: PolicyErrorCode, message: string, options?: { path?: string, line?: number, cause?: unknown }) {
    super(code, message, { cause: options?.cause })
    this.path = options?.path ?? ''
    this.line = options?.line
  }
}
