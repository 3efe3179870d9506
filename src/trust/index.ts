/**
 * The closed mesh: authorities, membership certificates, signed policy
 * releases and revocation lists, the hello exchange that admits a peer, and
 * signed agent cards. See ../shared/DESIGN.md "Trust".
 */
export * from './constants.js'
export { TrustError } from './errors.js'
export { checkCertificate, describeCertificate, grantFor, openCertificate, parseGrant, signCertificate } from './certificate.js'
export type { AgentGrant, Certificate, CertificateCheck, VerifiedCertificate } from './certificate.js'
export { openPolicyRelease, openRevocationList, signPolicyRelease, signRevocationList } from './documents.js'
export type { PolicyRelease, RevocationList } from './documents.js'
export { installBundle, TrustStore, trustPaths } from './trust-store.js'
export type { HeldPolicy, HeldRevocations, TrustStoreInit } from './trust-store.js'
export { RefusalList } from './refusals.js'
export { PeerTrust } from './peer-trust.js'
export { OpenedCertificates } from './opened-certificates.js'
export type { PeerTrustInit } from './peer-trust.js'
export { principalOf } from './principal.js'
export { CARD_AGENT_HEADER, signAgentCard, verifyAgentCard } from './card-signature.js'
export type { AgentCardSignature, VerifiedCard } from './card-signature.js'
export { authorityPaths, initAuthority, issueBundle, loadAuthority, publishPolicy, revokeSerial } from './authority.js'
export type { Authority, IssueRequest } from './authority.js'
export { readBundle } from './bundle.js'
export { writeFileAtomic } from './atomic-file.js'
export { AccessControl, isRefusal, NO_POLICY_RULE, skillOf } from './access-control.js'
export type { AccessControlInit, Refusal } from './access-control.js'
