import { randomBytes } from 'node:crypto'
import { ID_BYTES, NONCE_BYTES } from './constants.js'

/** A fresh 16-byte envelope id, for a new task (reuse it on retries). */
export function newEnvelopeId (): Uint8Array {
  return new Uint8Array(randomBytes(ID_BYTES))
}

/** A fresh 16-byte nonce, for every transmission. */
export function newNonce (): Uint8Array {
  return new Uint8Array(randomBytes(NONCE_BYTES))
}
