import type { VETO_CODES } from './constants.js'

/**
 * Why content was refused. Stable; a daemon uses it as the wire reason:
 *
 * - `SCHEMA_INVALID` — not a JSON-RPC 2.0 request/response, or not the A2A v1.0 shape of its method
 * - `CONTENT_DENIED` — a text matches a deny pattern
 * - `TOO_MANY_PARTS` — a message or artifact has more parts than allowed
 * - `PART_TOO_LARGE` — a text part is larger than allowed
 * - `SKILL_NOT_ALLOWED` — the call asks the callee's role for a skill it may not be asked for
 * - `GUARD_VETO` — the external guard refused, with its reason
 * - `GUARD_UNAVAILABLE` — the external guard could not say (fail closed)
 */
export type VetoCode = typeof VETO_CODES[number]

/** A refusal: a stable code and a message for humans (sent back to the caller). */
export interface Veto {
  code: VetoCode
  message: string
  /** For the operator (log, audit): the deny pattern that matched, the schema problems, the guard's failure. */
  detail?: string
}

/** One end of a call. */
export interface InspectedParty {
  agent: string
  peer: string
  /** Its role in the closed mesh (absent: open mesh or no role). */
  role?: string
}

/** What is inspected: one request before it reaches an agent, or one reply before it reaches its caller. */
export interface InspectionSubject {
  direction: 'request' | 'reply'
  /** The JSON-RPC method (of the request, for a reply). */
  method: string
  /** The whole JSON-RPC request (request), or one JSON-RPC response / one SSE event's data (reply). */
  payload: string
  from: InspectedParty
  to: InspectedParty
  /** The delegation chain (JSON), passed to the guard. */
  chain?: unknown
  /** The policy decision, passed to the guard. */
  decision?: { allowed: boolean, rule: string }
}
