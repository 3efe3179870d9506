import { AgentmeshError } from '../errors.js'

/**
 * An error the local API returns as `{ "error": { "code", "message" } }` with
 * the given HTTP status.
 */
export class ApiError extends AgentmeshError {
  readonly status: number
  constructor (status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.status = status
  }
}

/** Stable codes → HTTP statuses for errors raised below the API layer. */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  BAD_JSON: 400,
  INVALID_REQUEST: 400,
  INVALID_PEER_ID: 400,
  INVALID_MULTIADDR: 400,
  UNAUTHORIZED: 401,
  NOT_CERTIFIED: 403,
  POLICY_DENIED: 403,
  INVALID_BUNDLE: 400,
  INVALID_GRANT: 400,
  INVALID_POLICY: 400,
  INVALID_PRINCIPAL: 400,
  BAD_DOCUMENT: 400,
  UNTRUSTED_ISSUER: 400,
  WRONG_SUBJECT: 400,
  EXPIRED: 400,
  NOT_YET_VALID: 400,
  REVOKED: 400,
  NO_CERTIFICATE: 404,
  NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  INVALID_AGENT_NAME: 400,
  INVALID_AGENT_URL: 400,
  AGENT_UNREACHABLE: 502,
  INVALID_AGENT_CARD: 502,
  PEER_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TIMEOUT: 504,
  PEER_UNREACHABLE: 502
}
