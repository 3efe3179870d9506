import type { KeyObject } from 'node:crypto'
import canonicalize from 'canonicalize'
import { FlattenedSign, flattenedVerify, base64url } from 'jose'
import { peerIdFromString } from '@libp2p/peer-id'
import { publicKeyObjectFromRaw } from '../envelope/ed25519-keys.js'
import { TrustError } from './errors.js'

/** The protected-header member that binds a card signature to `name@peer`. */
export const CARD_AGENT_HEADER = 'agentmesh-agent'

/** An A2A v1.0 AgentCardSignature. */
export interface AgentCardSignature {
  protected: string
  signature: string
  header?: Record<string, unknown>
}

/** What a card signature proved. */
export interface VerifiedCard {
  /** The daemon that signed (the JWS `kid`). */
  signer: string
  /** The agent the signature names: what stands before `@` in the address. */
  agent: string
}

const encoder = new TextEncoder()

/** The bytes signed: the RFC 8785 canonical JSON of the card without its `signatures`. */
function signingPayload (card: Record<string, unknown>): Uint8Array {
  const { signatures: _, ...rest } = card
  const text = canonicalize(rest)
  if (text === undefined) throw new TrustError('INVALID_AGENT_CARD', 'the agent card cannot be canonicalised')
  return encoder.encode(text)
}

/**
 * Signs an agent card as A2A v1.0 specifies (a JWS over the RFC 8785
 * canonical card, detached, in `signatures`), with this daemon's Ed25519 key.
 * The protected header names the signer (`kid`, its peer ID) and the agent's
 * mesh address (`agentmesh-agent`: `name@peer`), so the signature also says
 * which agent the card is for. Returns a new card; signatures of others stay.
 */
export async function signAgentCard (card: unknown, agent: string, peerId: string, key: KeyObject): Promise<Record<string, unknown>> {
  const c = card as Record<string, unknown>
  const jws = await new FlattenedSign(signingPayload(c))
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JOSE', kid: peerId, [CARD_AGENT_HEADER]: `${agent}@${peerId}` })
    .sign(key)
  const others = Array.isArray(c.signatures) ? (c.signatures as AgentCardSignature[]).filter((s) => headerOf(s)?.kid !== peerId) : []
  return { ...c, signatures: [...others, { protected: jws.protected as string, signature: jws.signature }] }
}

/**
 * Checks a card's signature by `expectedSigner` (a peer ID) and returns the
 * agent it names. Throws `CARD_UNSIGNED` when the signer did not sign it and
 * `CARD_SIGNATURE_INVALID` when its signature does not verify (the card was
 * changed after signing, or the signature is forged).
 *
 * @throws {TrustError}
 */
export async function verifyAgentCard (card: unknown, expectedSigner: string): Promise<VerifiedCard> {
  const c = card as Record<string, unknown>
  if (typeof c !== 'object' || c === null) throw new TrustError('INVALID_AGENT_CARD', 'the agent card is not an object')
  const sigs = Array.isArray(c.signatures) ? c.signatures as AgentCardSignature[] : []
  const sig = sigs.find((s) => headerOf(s)?.kid === expectedSigner)
  if (sig == null) throw new TrustError('CARD_UNSIGNED', `the agent card carries no signature by ${expectedSigner}`)
  const header = headerOf(sig)
  const address = header?.[CARD_AGENT_HEADER]
  if (header?.alg !== 'EdDSA' || typeof address !== 'string' || !address.endsWith(`@${expectedSigner}`)) {
    throw new TrustError('CARD_SIGNATURE_INVALID', 'the card signature\'s header does not name an agent of its signer')
  }
  try {
    await flattenedVerify({ protected: sig.protected, signature: sig.signature, payload: base64url.encode(signingPayload(c)) }, publicKeyOf(expectedSigner), { algorithms: ['EdDSA'] })
  } catch (err) {
    throw new TrustError('CARD_SIGNATURE_INVALID', `the agent card's signature by ${expectedSigner} does not verify: ${(err as Error).message}`, { cause: err })
  }
  return { signer: expectedSigner, agent: address.slice(0, -(expectedSigner.length + 1)) }
}

function headerOf (sig: AgentCardSignature): Record<string, unknown> | undefined {
  try {
    return JSON.parse(new TextDecoder().decode(base64url.decode(sig.protected))) as Record<string, unknown>
  } catch {
    return undefined
  }
}

function publicKeyOf (peerId: string): KeyObject {
  try {
    const id = peerIdFromString(peerId)
    if (id.type !== 'Ed25519') throw new Error(`a ${id.type} key`)
    return publicKeyObjectFromRaw(id.publicKey.raw)
  } catch (err) {
    throw new TrustError('CARD_SIGNATURE_INVALID', `${peerId} is not an Ed25519 peer ID: ${(err as Error).message}`)
  }
}

