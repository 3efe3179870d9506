import { createPrivateKey, createPublicKey } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { PeerKeyError } from './errors.js'

// Fixed DER prefixes for Ed25519 (RFC 8410): the key bytes follow directly.
// PKCS#8: SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) } }
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
// SPKI: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (0 unused bits, 32 bytes) }
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

const KEY_BYTES = 32

/**
 * A node:crypto private key from libp2p's raw Ed25519 private key: the 32-byte
 * seed, optionally followed by the 32-byte public key (libp2p keeps both). When
 * the public half is present it must match the one derived from the seed.
 */
export function privateKeyObjectFromRaw (raw: Uint8Array): KeyObject {
  if (raw.byteLength !== KEY_BYTES && raw.byteLength !== 2 * KEY_BYTES) {
    throw new PeerKeyError('INVALID_KEY', `an Ed25519 private key has 32 or 64 bytes, not ${raw.byteLength}`)
  }
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, raw.subarray(0, KEY_BYTES)]),
    format: 'der',
    type: 'pkcs8'
  })
  if (raw.byteLength === 2 * KEY_BYTES) {
    const derived = rawPublicKey(createPublicKey(key))
    if (!derived.equals(raw.subarray(KEY_BYTES))) {
      throw new PeerKeyError('INVALID_KEY', 'the public half of the Ed25519 private key does not match its seed')
    }
  }
  return key
}

/** A node:crypto public key from a raw 32-byte Ed25519 public key. */
export function publicKeyObjectFromRaw (raw: Uint8Array): KeyObject {
  if (raw.byteLength !== KEY_BYTES) {
    throw new PeerKeyError('INVALID_KEY', `an Ed25519 public key has 32 bytes, not ${raw.byteLength}`)
  }
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
}

function rawPublicKey (key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.byteLength)
}
