import { EnvelopeError, type Signer, type Verifier } from '../envelope/index.js'
import { checkSignature, decodeSigned, signBody } from '../envelope/signed.js'
import { MAX_DOCUMENT_BYTES } from './constants.js'
import { TrustError } from './errors.js'

/** How a protons message type encodes and decodes. */
export interface Codec<T> {
  encode(value: Partial<T>): Uint8Array
  decode(bytes: Uint8Array): T
}

/** Encodes `value` and signs it under `domain` with the authority's signer. */
export function signDocument<T> (codec: Codec<T>, domain: Uint8Array, value: T, signer: Signer): Uint8Array {
  return signBody(domain, codec.encode(value), signer)
}

/**
 * Decodes a Signed document and checks that `issuerOf(body)` signed it. The
 * issuer named inside the body is the key checked: a document cannot claim
 * one authority and carry another's signature.
 *
 * @throws {TrustError} with `malformed` or `badSignature` as its code
 */
export function openDocument<T> (codec: Codec<T>, domain: Uint8Array, bytes: Uint8Array, verifier: Verifier,
  issuerOf: (value: T) => string, codes: { malformed: string, badSignature: string }, what: string): T {
  let value: T
  let signed
  try {
    signed = decodeSigned(bytes, MAX_DOCUMENT_BYTES, what)
    value = codec.decode(signed.body)
  } catch (err) {
    throw new TrustError(codes.malformed, `${what} does not decode: ${(err as Error).message}`, { cause: err })
  }
  const issuer = issuerOf(value)
  if (issuer === '') throw new TrustError(codes.malformed, `${what} names no issuer`)
  try {
    checkSignature(domain, signed, issuer, verifier, what)
  } catch (err) {
    const why = err instanceof EnvelopeError ? err.message : (err as Error).message
    throw new TrustError(codes.badSignature, `${what} is not signed by its issuer ${issuer}: ${why}`, { cause: err })
  }
  return value
}
