import { AgentmeshError } from '../errors.js'

/**
 * Why a certificate, policy, revocation list or hello was refused. Codes are
 * stable: they label the `agentmesh_peers_refused_total{reason}` metric and
 * appear in logs and API errors.
 *
 * - `NO_CERTIFICATE` — the peer presented none
 * - `MALFORMED_CERTIFICATE` — it does not decode, or lacks fields
 * - `BAD_CERTIFICATE_SIGNATURE` — the issuer's signature does not verify
 * - `UNTRUSTED_ISSUER` — signed by an authority this daemon does not trust
 * - `WRONG_SUBJECT` — issued for another peer ID
 * - `NOT_YET_VALID` / `EXPIRED` — outside its validity window
 * - `REVOKED` — its serial is on the issuer's revocation list
 * - `BAD_DOCUMENT` — a policy or revocation list that does not verify
 * - `HELLO_FAILED` — the exchange itself failed (timeout, bad framing)
 */
export class TrustError extends AgentmeshError {}
