import type { Verifier } from '../envelope/index.js'
import { openCertificate, type Certificate } from './certificate.js'

/** How many distinct certificates an {@link OpenedCertificates} keeps by default. */
export const DEFAULT_OPENED_CERTIFICATES = 1024

/**
 * Opens certificates, verifying each distinct one once. Every connection's
 * hello carries the peer's certificate, and a busy host sees the same few
 * hundred again and again; the issuer's signature over the same bytes gives
 * the same answer every time, so the decoded certificate is kept by its
 * exact bytes (most recently used first out of a bounded map). Only the
 * signature check is saved: whether a certificate is trusted, for this
 * subject, in its validity window and not revoked is judged on every use
 * (`TrustStore.check`). Bytes that fail to open are never kept.
 */
export class OpenedCertificates {
  private readonly opened = new Map<string, Certificate>()

  constructor (private readonly verifier: Verifier, private readonly max = DEFAULT_OPENED_CERTIFICATES) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, not ${max}`)
  }

  /** {@link openCertificate}, from the cache when these exact bytes opened before. @throws {TrustError} */
  open (bytes: Uint8Array): Certificate {
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
    let cert = this.opened.get(key)
    if (cert !== undefined) {
      this.opened.delete(key)
      this.opened.set(key, cert)
      return cert
    }
    cert = openCertificate(bytes, this.verifier)
    if (this.opened.size >= this.max) {
      const oldest = this.opened.keys().next()
      if (oldest.done !== true) this.opened.delete(oldest.value)
    }
    this.opened.set(key, cert)
    return cert
  }

  get size (): number {
    return this.opened.size
  }
}
