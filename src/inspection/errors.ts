import { AgentmeshError } from '../errors.js'
import type { Veto, VetoCode } from './types.js'

/**
 * Content refused by inspection, for code that reports refusals by throwing.
 * `code` is the veto's code (`CONTENT_DENIED`, `GUARD_UNAVAILABLE`, …).
 */
export class InspectionVetoError extends AgentmeshError {
  declare readonly code: VetoCode
  readonly veto: Veto
  constructor (veto: Veto) {
    super(veto.code, veto.message)
    this.veto = veto
  }
}

/** An inspection config that cannot be used (a deny pattern that does not compile). Code `INVALID_CONFIG`. */
export class InspectionConfigError extends AgentmeshError {
  /** The offending key, e.g. `denyPatterns[2]`. */
  readonly key: string
  constructor (key: string, message: string, options?: { cause?: unknown }) {
    super('INVALID_CONFIG', `invalid inspection config key "${key}": ${message}`, options)
    this.key = key
  }
}
