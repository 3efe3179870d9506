import { verify as verifySignature } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { DEFAULT_MAX_CACHED_KEYS, SIGNATURE_BYTES } from './constants.js'
import { publicKeyObjectFromRaw } from './ed25519-keys.js'
import { PeerKeyError } from './errors.js'

/** Options of {@link createVerifier}. */
export interface VerifierInit {
  /** Remote peers whose key objects are kept. Default {@link DEFAULT_MAX_CACHED_KEYS}. */
  maxCachedKeys?: number
}

/** Verifies signatures made by remote peers' keys. */
export interface Verifier {
  /**
   * Whether `signature` is `peerId`'s Ed25519 signature of `data`.
   *
   * @throws {PeerKeyError} when `peerId` is not a peer ID (`INVALID_PEER_ID`)
   * or does not embed an Ed25519 key (`UNSUPPORTED_KEY_TYPE`)
   */
  verify(peerId: string, data: Uint8Array, signature: Uint8Array): boolean
}

/** The verifier {@link createVerifier} returns: a {@link Verifier} with a key cache. */
export interface CachingVerifier extends Verifier {
  /** How many peers' key objects are cached now (for metrics). */
  readonly cachedKeys: number
}

/**
 * A verifier that derives each peer's public key from its peer ID (Ed25519
 * peer IDs embed the key) and keeps the node:crypto key objects of the most
 * recently used peers.
 */
export function createVerifier (init: VerifierInit = {}): CachingVerifier {
  const maxCachedKeys = init.maxCachedKeys ?? DEFAULT_MAX_CACHED_KEYS
  if (!Number.isInteger(maxCachedKeys) || maxCachedKeys < 1) {
    throw new RangeError(`maxCachedKeys must be a positive integer, not ${maxCachedKeys}`)
  }
  const keys = new Map<string, KeyObject>()

  function keyFor (peerId: string): KeyObject {
    let key = keys.get(peerId)
    if (key != null) {
      // Re-insert so that Map order is least recently used first.
      keys.delete(peerId)
      keys.set(peerId, key)
      return key
    }
    key = publicKeyObjectFromRaw(ed25519PublicKey(peerId))
    if (keys.size >= maxCachedKeys) {
      const oldest = keys.keys().next()
      if (oldest.done !== true) keys.delete(oldest.value)
    }
    keys.set(peerId, key)
    return key
  }

  return {
    get cachedKeys (): number {
      return keys.size
    },
    verify (peerId: string, data: Uint8Array, signature: Uint8Array): boolean {
      const key = keyFor(peerId)
      if (signature.byteLength !== SIGNATURE_BYTES) return false
      return verifySignature(null, data, key, signature)
    }
  }
}

function ed25519PublicKey (peerId: string): Uint8Array {
  let parsed
  try {
    parsed = peerIdFromString(peerId)
  } catch (err) {
    throw new PeerKeyError('INVALID_PEER_ID', `not a peer ID: ${JSON.stringify(peerId.slice(0, 80))}`, { cause: err })
  }
  if (parsed.type !== 'Ed25519') {
    throw new PeerKeyError('UNSUPPORTED_KEY_TYPE', `peer ${peerId} has a ${parsed.type} key; agentmesh needs Ed25519`)
  }
  return parsed.publicKey.raw
}
