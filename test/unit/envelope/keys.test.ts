import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ed25519 } from '@noble/curves/ed25519.js'
import { describe, expect, it } from 'vitest'
import { PeerKeyError, createSigner, createVerifier } from '../../../src/envelope/index.js'
import { privateKeyObjectFromRaw } from '../../../src/envelope/ed25519-keys.js'
import { thrown } from './helpers.js'

const message = new TextEncoder().encode('agentmesh test message')

describe('createSigner / createVerifier', () => {
  it('signs with the key of the peer ID it reports', async () => {
    const key = await generateKeyPair('Ed25519')
    const signer = createSigner(key)
    expect(signer.peerId).toBe(peerIdFromPrivateKey(key).toString())
    const signature = signer.sign(message)
    expect(signature.byteLength).toBe(64)
    expect(createVerifier().verify(signer.peerId, message, signature)).toBe(true)
  })

  it('produces signatures libp2p and noble accept, and accepts theirs', async () => {
    const key = await generateKeyPair('Ed25519')
    const signer = createSigner(key)
    const ours = signer.sign(message)
    expect(await key.publicKey.verify(message, ours)).toBe(true)
    expect(ed25519.verify(ours, message, key.publicKey.raw, { zip215: false })).toBe(true)
    // Ed25519 is deterministic: the same key and message give the same bytes.
    expect(new Uint8Array(await key.sign(message))).toEqual(new Uint8Array(ours))
    const noble = ed25519.sign(message, key.raw.subarray(0, 32))
    expect(createVerifier().verify(signer.peerId, message, noble)).toBe(true)
  })

  it('refuses a signature by another key, over other data, or of the wrong length', async () => {
    const signer = createSigner(await generateKeyPair('Ed25519'))
    const other = createSigner(await generateKeyPair('Ed25519'))
    const verifier = createVerifier()
    const signature = signer.sign(message)
    expect(verifier.verify(other.peerId, message, signature)).toBe(false)
    expect(verifier.verify(signer.peerId, message.subarray(1), signature)).toBe(false)
    expect(verifier.verify(signer.peerId, message, signature.subarray(0, 63))).toBe(false)
    expect(verifier.verify(signer.peerId, message, new Uint8Array(64))).toBe(false)
  })

  it('keeps verifying correctly when the key cache evicts', async () => {
    const signers = [await newKeySigner(), await newKeySigner(), await newKeySigner()]
    const verifier = createVerifier({ maxCachedKeys: 2 })
    for (let round = 0; round < 3; round++) {
      for (const [i, signer] of signers.entries()) {
        const other = signers[(i + 1) % signers.length]!
        expect(verifier.verify(signer.peerId, message, signer.sign(message))).toBe(true)
        expect(verifier.verify(other.peerId, message, signer.sign(message))).toBe(false)
        expect(verifier.cachedKeys).toBeLessThanOrEqual(2)
      }
    }
    expect(verifier.cachedKeys).toBe(2)
  })

  it('refuses non-Ed25519 peer IDs and keys, and non-peer-IDs', async () => {
    const secp = await generateKeyPair('secp256k1')
    const verifier = createVerifier()
    const notEd = thrown(() => verifier.verify(peerIdFromPrivateKey(secp).toString(), message, new Uint8Array(64)))
    expect(notEd).toBeInstanceOf(PeerKeyError)
    expect((notEd as PeerKeyError).code).toBe('UNSUPPORTED_KEY_TYPE')
    const garbage = thrown(() => verifier.verify('not-a-peer-id', message, new Uint8Array(64)))
    expect((garbage as PeerKeyError).code).toBe('INVALID_PEER_ID')
    expect((thrown(() => createSigner(secp)) as PeerKeyError).code).toBe('UNSUPPORTED_KEY_TYPE')
    expect(() => createVerifier({ maxCachedKeys: 0 })).toThrow(RangeError)
  })

  it('refuses a private key whose public half does not match its seed', async () => {
    const key = await generateKeyPair('Ed25519')
    const raw = key.raw.slice()
    raw[40] = raw[40]! ^ 1
    expect((thrown(() => privateKeyObjectFromRaw(raw)) as PeerKeyError).code).toBe('INVALID_KEY')
    expect((thrown(() => privateKeyObjectFromRaw(raw.subarray(0, 31))) as PeerKeyError).code).toBe('INVALID_KEY')
    // The seed alone is enough.
    expect(() => privateKeyObjectFromRaw(key.raw.subarray(0, 32))).not.toThrow()
  })
})

async function newKeySigner (): Promise<ReturnType<typeof createSigner>> {
  return createSigner(await generateKeyPair('Ed25519'))
}
