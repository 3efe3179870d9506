/**
 * The audit decision a refusal code stands for. Codes are the stable reasons
 * of ERROR frames, trust refusals and inspection vetoes; the decision groups
 * them the way `audit query --decision` reads them.
 */
const DECISION_BY_CODE: Readonly<Record<string, string>> = {
  REPLAYED: 'replay',
  STALE: 'replay',
  FUTURE: 'replay',
  SEQ_OUT_OF_WINDOW: 'replay',
  BAD_SIGNATURE: 'bad_signature',
  SENDER_MISMATCH: 'bad_signature',
  MALFORMED: 'malformed',
  OVERSIZED: 'malformed',
  RECIPIENT_MISMATCH: 'malformed',
  PEER_NOT_CERTIFIED: 'bad_certificate',
  SENDER_NOT_CERTIFIED: 'bad_certificate',
  NOT_CERTIFIED: 'bad_certificate',
  DELEGATION_INVALID: 'bad_chain',
  POLICY_DENIED: 'denied',
  AGENT_NOT_FOUND: 'not_found',
  RATE_LIMITED: 'rate_limited',
  SCHEMA_INVALID: 'inspection_veto',
  CONTENT_DENIED: 'inspection_veto',
  TOO_MANY_PARTS: 'inspection_veto',
  PART_TOO_LARGE: 'inspection_veto',
  SKILL_NOT_ALLOWED: 'inspection_veto',
  GUARD_VETO: 'inspection_veto',
  GUARD_UNAVAILABLE: 'inspection_veto'
}

/** The audit decision for a refusal with this code (`refused` for any other). */
export function decisionFor (code: string): string {
  return DECISION_BY_CODE[code] ?? 'refused'
}

/** The trace id of a W3C traceparent, if it has one. */
export function traceIdOf (traceparent: string | undefined): string | undefined {
  const id = traceparent?.split('-')[1]
  return id != null && id.length === 32 ? id : undefined
}
