import { JoinBundle } from '../pb/agentmesh.js'
import type { Verifier } from '../envelope/index.js'
import { openCertificate, type Certificate } from './certificate.js'
import { TrustError } from './errors.js'

/** Reads a join bundle's certificate (checking the authority's signature) without installing it. */
export function readBundle (bytes: Uint8Array, verifier: Verifier): { authority: string, cert: Certificate, hasPolicy: boolean, hasRevocations: boolean } {
  let bundle: JoinBundle
  try { bundle = JoinBundle.decode(bytes) } catch (err) {
    throw new TrustError('INVALID_BUNDLE', `not a join bundle: ${(err as Error).message}`, { cause: err })
  }
  const cert = openCertificate(bundle.certificate, verifier)
  return { authority: bundle.authority, cert, hasPolicy: bundle.policy.byteLength > 0, hasRevocations: bundle.revocations.byteLength > 0 }
}
