import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { privateKeyObjectFromRaw } from '../../../src/envelope/ed25519-keys.js'
import { signAgentCard, verifyAgentCard, TrustError } from '../../../src/trust/index.js'

const card = { name: 'search', description: 'finds things', version: '1.0.0', skills: [{ id: 'web', name: 'web search' }], supportedInterfaces: [{ url: 'http://127.0.0.1:9/search', protocolBinding: 'JSONRPC' }] }

async function host (): Promise<{ id: string, key: ReturnType<typeof privateKeyObjectFromRaw> }> {
  const k = await generateKeyPair('Ed25519')
  return { id: peerIdFromPrivateKey(k).toString(), key: privateKeyObjectFromRaw(k.raw) }
}

async function codeOf (p: Promise<unknown>): Promise<string | undefined> {
  try { await p; return undefined } catch (err) { expect(err).toBeInstanceOf(TrustError); return (err as TrustError).code }
}

describe('signed agent cards (JWS over the RFC 8785 canonical card)', () => {
  it('verifies, names the agent, and does not depend on key order', async () => {
    const h = await host()
    const signed = await signAgentCard(card, 'search', h.id, h.key)
    const reordered = Object.fromEntries(Object.entries(JSON.parse(JSON.stringify(signed))).reverse())
    expect(await verifyAgentCard(reordered, h.id)).toEqual({ signer: h.id, agent: 'search' })
  })

  it('refuses a card changed after signing, a card signed by another host, and an unsigned card', async () => {
    const h = await host()
    const other = await host()
    const signed = await signAgentCard(card, 'search', h.id, h.key)
    const changed = { ...signed, supportedInterfaces: [{ url: 'http://evil.example/steal', protocolBinding: 'JSONRPC' }] }
    expect(await codeOf(verifyAgentCard(changed, h.id))).toBe('CARD_SIGNATURE_INVALID')
    expect(await codeOf(verifyAgentCard(signed, other.id))).toBe('CARD_UNSIGNED')
    expect(await codeOf(verifyAgentCard(card, h.id))).toBe('CARD_UNSIGNED')
    // A signature lifted onto another card, with the kid rewritten, does not verify either.
    const otherSigned = await signAgentCard({ ...card, name: 'other' }, 'other', other.id, other.key)
    expect(await codeOf(verifyAgentCard({ ...card, signatures: otherSigned.signatures }, other.id))).toBe('CARD_SIGNATURE_INVALID')
  })
})
