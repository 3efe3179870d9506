import { AgentmeshError } from '../errors.js'

/**
 * A delegation chain that does not hold. Code `DELEGATION_INVALID`; `link` is
 * the index of the failing link (0 = root; -1 = the chain as a whole), and
 * `problem` a stable word: `missing`, `malformed`, `signature`, `certificate`,
 * `not_certified`, `order`, `widened`, `extended`, `depth`, `expired`,
 * `audience`, `sender`, `method`, `skill`.
 */
export class DelegationError extends AgentmeshError {
  readonly link: number
  readonly problem: string
  constructor (link: number, problem: string, message: string, options?: { cause?: unknown }) {
    super('DELEGATION_INVALID', `delegation link ${link}: ${message}`, options)
    this.link = link
    this.problem = problem
  }
}
