import { sign } from 'node:crypto'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { privateKeyObjectFromRaw } from './ed25519-keys.js'
import { PeerKeyError } from './errors.js'

/** Signs with this daemon's key. */
export interface Signer {
  /** The peer ID of the key, base58btc. */
  readonly peerId: string
  /** The Ed25519 signature (64 bytes) of `data`. Callers add the domain prefix. */
  sign(data: Uint8Array): Uint8Array
}

/**
 * A signer over a libp2p Ed25519 private key. The node:crypto key object is
 * built once here: libp2p's own `sign` rebuilds it from JWK on every call,
 * which costs more than the signature itself.
 *
 * @throws {PeerKeyError} `UNSUPPORTED_KEY_TYPE` for non-Ed25519 keys, `INVALID_KEY` for inconsistent bytes
 */
export function createSigner (privateKey: PrivateKey): Signer {
  if (privateKey.type !== 'Ed25519') {
    throw new PeerKeyError('UNSUPPORTED_KEY_TYPE', `agentmesh signs with Ed25519 keys, not ${privateKey.type}`)
  }
  const key = privateKeyObjectFromRaw(privateKey.raw)
  const peerId = peerIdFromPrivateKey(privateKey).toString()
  return {
    peerId,
    sign (data: Uint8Array): Uint8Array {
      const signature = sign(null, data, key)
      return new Uint8Array(signature.buffer, signature.byteOffset, signature.byteLength)
    }
  }
}
