import { Certificate, type AgentGrant } from '../pb/agentmesh.js'
import type { Signer, Verifier } from '../envelope/index.js'
import { CERTIFICATE_DOMAIN } from './constants.js'
import { TrustError } from './errors.js'
import { openDocument, signDocument } from './signed-document.js'

export type { AgentGrant, Certificate } from '../pb/agentmesh.js'

/** A certificate that verified, with the exact bytes it came in (to pass on in hellos). */
export interface VerifiedCertificate {
  cert: Certificate
  bytes: Uint8Array
}

/** What a certificate is checked against. */
export interface CertificateCheck {
  /** The peer that presented it (the connection's remote peer). */
  subject: string
  /** Authorities this daemon trusts (peer-ID form of their keys). */
  trusted: ReadonlySet<string>
  now: number
  /** Whether the issuer has revoked this serial. */
  isRevoked: (issuer: string, serial: number) => boolean
}

/** Signs a certificate with the authority's key; `cert.issuer` must be that key. */
export function signCertificate (cert: Certificate, authority: Signer): Uint8Array {
  if (cert.issuer !== authority.peerId) throw new TrustError('MALFORMED_CERTIFICATE', `certificate names issuer ${cert.issuer} but is signed by ${authority.peerId}`)
  return signDocument<Certificate>(Certificate, CERTIFICATE_DOMAIN, cert, authority)
}

/**
 * Decodes a Signed certificate and checks its issuer's signature, without
 * judging it (see {@link checkCertificate}).
 *
 * @throws {TrustError} `MALFORMED_CERTIFICATE` or `BAD_CERTIFICATE_SIGNATURE`
 */
export function openCertificate (bytes: Uint8Array, verifier: Verifier): Certificate {
  if (bytes.byteLength === 0) throw new TrustError('NO_CERTIFICATE', 'no certificate was presented')
  const cert = openDocument<Certificate>(Certificate, CERTIFICATE_DOMAIN, bytes, verifier, (c) => c.issuer,
    { malformed: 'MALFORMED_CERTIFICATE', badSignature: 'BAD_CERTIFICATE_SIGNATURE' }, 'certificate')
  if (cert.subject === '' || cert.serial <= 0 || cert.notAfterMs <= 0) throw new TrustError('MALFORMED_CERTIFICATE', 'certificate lacks a subject, serial or expiry')
  return cert
}

/**
 * Judges a certificate that opened: trusted issuer, issued for this subject,
 * inside its validity window, not revoked. Checks in that order, so the
 * reason given is the most fundamental one.
 *
 * @throws {TrustError} `UNTRUSTED_ISSUER`, `WRONG_SUBJECT`, `NOT_YET_VALID`, `EXPIRED` or `REVOKED`
 */
export function checkCertificate (cert: Certificate, check: CertificateCheck): void {
  if (!check.trusted.has(cert.issuer)) {
    throw new TrustError('UNTRUSTED_ISSUER', `certificate ${cert.serial} is issued by ${cert.issuer}, an authority this daemon does not trust`)
  }
  if (cert.subject !== check.subject) {
    throw new TrustError('WRONG_SUBJECT', `certificate ${cert.serial} is for peer ${cert.subject}, not ${check.subject}`)
  }
  if (check.now < cert.notBeforeMs) {
    throw new TrustError('NOT_YET_VALID', `certificate ${cert.serial} is not valid before ${new Date(cert.notBeforeMs).toISOString()}`)
  }
  if (check.now > cert.notAfterMs) {
    throw new TrustError('EXPIRED', `certificate ${cert.serial} expired at ${new Date(cert.notAfterMs).toISOString()}`)
  }
  if (check.isRevoked(cert.issuer, cert.serial)) {
    throw new TrustError('REVOKED', `certificate ${cert.serial} of ${cert.subject} was revoked by ${cert.issuer}`)
  }
}

/** The grant for agent `name` in `cert`, if it covers that agent. */
export function grantFor (cert: Certificate, name: string): AgentGrant | undefined {
  return cert.agents.find((a) => a.name === name)
}

/** Parses `NAME:ROLE[:PARENT]` as `cert issue --agent` takes it. */
export function parseGrant (spec: string): AgentGrant {
  const parts = spec.split(':')
  const [name, role, parent] = parts
  if (parts.length < 2 || parts.length > 3 || name === '' || role === '' || name === undefined || role === undefined || parent === '') {
    throw new TrustError('INVALID_GRANT', `"${spec}" is not NAME:ROLE[:PARENT] (e.g. search:specialist:planner)`)
  }
  return { name, role, parent: parent ?? '' }
}

/** A short human description of a certificate, for logs and `cert show`. */
export function describeCertificate (cert: Certificate): string {
  const agents = cert.agents.map((a) => `${a.name}:${a.role}${a.parent !== '' ? ':' + a.parent : ''}`).join(', ')
  return `certificate ${cert.serial} for ${cert.subject} by ${cert.issuer}, agents [${agents}], groups [${cert.groups.join(', ')}], valid ${new Date(cert.notBeforeMs).toISOString()} – ${new Date(cert.notAfterMs).toISOString()}`
}
