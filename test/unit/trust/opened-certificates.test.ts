import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createSigner, createVerifier, type Verifier } from '../../../src/envelope/index.js'
import { OpenedCertificates, signCertificate, TrustError, type Certificate } from '../../../src/trust/index.js'

/** A verifier that counts its signature checks. */
function countingVerifier (): Verifier & { calls: number } {
  const inner = createVerifier()
  const v = { calls: 0, verify: (peer: string, data: Uint8Array, sig: Uint8Array) => { v.calls++; return inner.verify(peer, data, sig) } }
  return v
}

async function issued (serial: number): Promise<Uint8Array> {
  const auth = await generateKeyPair('Ed25519')
  const issuer = peerIdFromPrivateKey(auth).toString()
  const subject = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const now = Date.now()
  const cert: Certificate = { serial, issuer, subject, agents: [], groups: [], notBeforeMs: now - 1000, notAfterMs: now + 60_000, issuedMs: now }
  return signCertificate(cert, createSigner(auth))
}

describe('OpenedCertificates', () => {
  it('checks the signature of the same bytes once', async () => {
    const verifier = countingVerifier()
    const opened = new OpenedCertificates(verifier)
    const bytes = await issued(1)
    const a = opened.open(bytes)
    const b = opened.open(Uint8Array.from(bytes))
    expect(b).toBe(a)
    expect(verifier.calls).toBe(1)
  })

  it('never keeps bytes that fail to open: a flipped byte is refused every time', async () => {
    const verifier = countingVerifier()
    const opened = new OpenedCertificates(verifier)
    const bytes = await issued(2)
    opened.open(bytes)
    const forged = bytes.slice()
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1
    for (let i = 0; i < 2; i++) {
      let code: string | undefined
      try { opened.open(forged) } catch (err) { code = (err as TrustError).code }
      expect(code).toBe('BAD_CERTIFICATE_SIGNATURE')
    }
    expect(opened.size).toBe(1)
    expect(() => opened.open(new Uint8Array(0))).toThrow(TrustError)
  })

  it('keeps at most `max`, dropping the least recently used', async () => {
    const verifier = countingVerifier()
    const opened = new OpenedCertificates(verifier, 2)
    const [x, y, z] = await Promise.all([issued(3), issued(4), issued(5)])
    opened.open(x); opened.open(y); opened.open(x); opened.open(z)
    expect(opened.size).toBe(2)
    const before = verifier.calls
    opened.open(x) // kept: used more recently than y
    expect(verifier.calls).toBe(before)
    opened.open(y) // dropped: checked again
    expect(verifier.calls).toBe(before + 1)
    expect(() => new OpenedCertificates(verifier, 0)).toThrow(RangeError)
  })
})
