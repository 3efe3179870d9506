import { Signed } from '../pb/agentmesh.js'
import { SIGNATURE_BYTES } from './constants.js'
import { EnvelopeError } from './errors.js'
import type { Signer } from './signer.js'
import type { Verifier } from './verifier.js'

/** Wraps already-encoded `body` in a Signed, signing DOMAIN || body. */
export function signBody (domain: Uint8Array, body: Uint8Array, signer: Signer): Uint8Array {
  // The generated types ask for ArrayBuffer-backed arrays; the encoder copies either kind.
  const signature = signer.sign(withDomain(domain, body)) as Uint8Array<ArrayBuffer>
  return Signed.encode({ body: body as Uint8Array<ArrayBuffer>, signature })
}

/**
 * Checks the size cap and decodes the Signed container. The body is not yet
 * trusted: the caller decodes it, checks the sender, then calls {@link checkSignature}.
 */
export function decodeSigned (bytes: Uint8Array, maxBytes: number, what: string): Signed {
  if (bytes.byteLength > maxBytes) {
    throw new EnvelopeError('OVERSIZED', `${what} of ${bytes.byteLength} bytes exceeds the ${maxBytes}-byte cap`)
  }
  let signed: Signed
  try {
    signed = Signed.decode(bytes)
  } catch (err) {
    throw new EnvelopeError('MALFORMED', `${what} is not a Signed message`, { cause: err })
  }
  if (signed.body.byteLength === 0 || signed.signature.byteLength !== SIGNATURE_BYTES) {
    throw new EnvelopeError('MALFORMED', `${what} lacks a body or a ${SIGNATURE_BYTES}-byte signature`)
  }
  // The protons decoder ignores wire types and skips unknown fields, so many
  // byte strings decode to the same container. Accept only the one encoding we
  // produce: the bytes received are then a function of what was signed, and
  // anything that hashes or de-duplicates raw bytes cannot be fooled.
  if (!Buffer.from(Signed.encode(signed)).equals(bytes)) {
    throw new EnvelopeError('MALFORMED', `${what} is not canonically encoded`)
  }
  return signed
}

/** Throws `BAD_SIGNATURE` unless `remotePeer` signed DOMAIN || body. */
export function checkSignature (domain: Uint8Array, signed: Signed, remotePeer: string, verifier: Verifier, what: string): void {
  let valid: boolean
  try {
    valid = verifier.verify(remotePeer, withDomain(domain, signed.body), signed.signature)
  } catch (err) {
    throw new EnvelopeError('BAD_SIGNATURE', `cannot verify ${what} from ${remotePeer}`, { cause: err })
  }
  if (!valid) {
    throw new EnvelopeError('BAD_SIGNATURE', `${what} signature does not verify against ${remotePeer}`)
  }
}

function withDomain (domain: Uint8Array, body: Uint8Array): Uint8Array {
  const data = new Uint8Array(domain.byteLength + body.byteLength)
  data.set(domain, 0)
  data.set(body, domain.byteLength)
  return data
}
