import { PolicyRelease, RevocationList } from '../pb/agentmesh.js'
import type { Signer, Verifier } from '../envelope/index.js'
import { POLICY_DOMAIN, REVOCATIONS_DOMAIN } from './constants.js'
import { openDocument, signDocument } from './signed-document.js'

export type { PolicyRelease, RevocationList } from '../pb/agentmesh.js'

const CODES = { malformed: 'BAD_DOCUMENT', badSignature: 'BAD_DOCUMENT' }

/** Signs a policy release with its issuer's key. */
export function signPolicyRelease (release: PolicyRelease, authority: Signer): Uint8Array {
  return signDocument<PolicyRelease>(PolicyRelease, POLICY_DOMAIN, release, authority)
}

/** Opens a Signed policy release, checking that its issuer signed it. @throws {TrustError} `BAD_DOCUMENT` */
export function openPolicyRelease (bytes: Uint8Array, verifier: Verifier): PolicyRelease {
  return openDocument<PolicyRelease>(PolicyRelease, POLICY_DOMAIN, bytes, verifier, (r) => r.issuer, CODES, 'policy release')
}

/** Signs a revocation list with its issuer's key. */
export function signRevocationList (list: RevocationList, authority: Signer): Uint8Array {
  return signDocument<RevocationList>(RevocationList, REVOCATIONS_DOMAIN, list, authority)
}

/** Opens a Signed revocation list, checking that its issuer signed it. @throws {TrustError} `BAD_DOCUMENT` */
export function openRevocationList (bytes: Uint8Array, verifier: Verifier): RevocationList {
  return openDocument<RevocationList>(RevocationList, REVOCATIONS_DOMAIN, bytes, verifier, (r) => r.issuer, CODES, 'revocation list')
}
