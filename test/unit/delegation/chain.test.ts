import { beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createSigner, createVerifier, type Signer } from '../../../src/envelope/index.js'
import { signBody } from '../../../src/envelope/signed.js'
import { DelegationChain, DelegationLink } from '../../../src/pb/agentmesh.js'
import { checkCertificate, signCertificate, type Certificate } from '../../../src/trust/index.js'
import {
  DELEGATION_DOMAIN, DelegationError, chainFromToken, chainToken, describeChain, extendChain, openChain, tokenOf, verifyChain, withToken,
  type ChainContext, type VerifiedChain
} from '../../../src/delegation/index.js'

// Three hosts: A runs orchestrator planner, B specialist search (of planner), C tool agent ledger.
// The chain: operator@A → planner@A → search@B → ledger@C.

const verifier = createVerifier()
interface Host { signer: Signer, id: string, cert: Uint8Array }
let auth: Signer
let a: Host, b: Host, c: Host, stranger: Host
const NOW = Date.now()
const task = new Uint8Array(16).fill(7)

async function host (agents: Array<[string, string, string?]>): Promise<Host> {
  const key = await generateKeyPair('Ed25519')
  const id = peerIdFromPrivateKey(key).toString()
  const cert: Certificate = {
    serial: Math.floor(Math.random() * 1e9) + 1, issuer: auth.peerId, subject: id,
    agents: agents.map(([name, role, parent]) => ({ name, role, parent: parent ?? '' })), groups: [],
    notBeforeMs: NOW - 60_000, notAfterMs: NOW + 3_600_000, issuedMs: NOW
  }
  return { signer: createSigner(key), id, cert: signCertificate(cert, auth) }
}

beforeAll(async () => {
  auth = createSigner(await generateKeyPair('Ed25519'))
  a = await host([['planner', 'orchestrator']])
  b = await host([['search', 'specialist', 'planner']])
  c = await host([['ledger', 'tool']])
  stranger = await host([['mallory', 'specialist', 'planner']])
})

function ctx (audience: { peer: string, agent: string }, sender?: { peer: string, agent: string }, overrides: Partial<ChainContext> = {}): ChainContext {
  return {
    verifier,
    checkCertificate: (cert) => { checkCertificate(cert, { subject: cert.subject, trusted: new Set([auth.peerId]), now: NOW, isRevoked: () => false }) },
    now: NOW,
    audience,
    method: 'SendMessage',
    ...(sender != null ? { sender } : {}),
    ...overrides
  }
}

/** The full three-hop chain, as the daemons would build it. */
function fullChain (): Uint8Array {
  const root = openChain(a.signer, a.cert, 'operator', `planner@${a.id}`, { expiresMs: NOW + 600_000, maxDepth: 5 }, task, NOW)
  const atA = verifyChain(root, ctx({ peer: a.id, agent: 'planner' }))
  const two = extendChain(atA, a.signer, a.cert, 'planner', `search@${b.id}`, {}, task, NOW)
  const atB = verifyChain(two, ctx({ peer: b.id, agent: 'search' }, { peer: a.id, agent: 'planner' }))
  return extendChain(atB, b.signer, b.cert, 'search', `ledger@${c.id}`, {}, task, NOW)
}

const atC = (): ChainContext => ctx({ peer: c.id, agent: 'ledger' }, { peer: b.id, agent: 'search' })

function failure (fn: () => unknown): DelegationError {
  try { fn() } catch (err) { expect(err).toBeInstanceOf(DelegationError); return err as DelegationError }
  throw new Error('expected a DelegationError')
}

/** A link signed by `by`, with any fields. */
function rawLink (by: Host, fields: Partial<DelegationLink>): Uint8Array {
  const link: DelegationLink = {
    certificate: by.cert as Uint8Array<ArrayBuffer>, agent: 'x', audience: 'y', methods: ['SendMessage'], skills: ['*'], expiresMs: NOW + 60_000,
    maxDepth: 5, prev: new Uint8Array(0), issuedMs: NOW, task: task as Uint8Array<ArrayBuffer>, ...fields
  }
  return signBody(DELEGATION_DOMAIN, DelegationLink.encode(link), by.signer)
}
const links = (chain: Uint8Array): Uint8Array[] => DelegationChain.decode(chain).links
const chainOf = (ls: Uint8Array[]): Uint8Array => DelegationChain.encode({ links: ls as Array<Uint8Array<ArrayBuffer>> })
const sha = async (x: Uint8Array): Promise<Uint8Array<ArrayBuffer>> => new Uint8Array(await crypto.subtle.digest('SHA-256', x))

describe('delegation chains', () => {
  it('a three-hop chain verifies at the tool agent, every link, rooted in the operator', () => {
    const v: VerifiedChain = verifyChain(fullChain(), atC())
    expect(v.links.map((l) => `${l.link.agent}@${l.cert.subject} → ${l.link.audience}`)).toEqual([
      `operator@${a.id} → planner@${a.id}`, `planner@${a.id} → search@${b.id}`, `search@${b.id} → ledger@${c.id}`
    ])
    expect(v.origin).toMatchObject({ agent: 'operator', role: 'operator', peer: a.id })
    expect(describeChain(v)[2]).toMatchObject({ signer: b.id, agent: 'search', role: 'specialist', audience: `ledger@${c.id}` })
  })

  it('refuses a forged link (its signature does not verify)', () => {
    const ls = links(fullChain())
    const forged = ls[1]!.slice()
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1
    const e = failure(() => verifyChain(chainOf([ls[0]!, forged, ls[2]!]), atC()))
    expect([e.link, e.problem]).toEqual([1, 'signature'])
  })

  it('refuses links reordered', () => {
    const ls = links(fullChain())
    const e = failure(() => verifyChain(chainOf([ls[0]!, ls[2]!, ls[1]!]), atC()))
    expect([e.link, e.problem]).toEqual([1, 'order'])
  })

  it('refuses a link spliced in from another chain along the same path', () => {
    const ls = links(fullChain())
    // A second chain over the same agents (another task, a narrower scope): its middle link fits by names alone.
    const otherRoot = openChain(a.signer, a.cert, 'operator', `planner@${a.id}`, { methods: ['SendMessage'], expiresMs: NOW + 60_000, maxDepth: 5 }, new Uint8Array(16), NOW)
    const other = extendChain(verifyChain(otherRoot, ctx({ peer: a.id, agent: 'planner' })), a.signer, a.cert, 'planner', `search@${b.id}`, {}, new Uint8Array(16), NOW)
    const e = failure(() => verifyChain(chainOf([ls[0]!, links(other)[1]!, ls[2]!]), atC()))
    expect([e.link, e.problem]).toEqual([1, 'order'])
  })

  it('refuses a link removed from the middle', () => {
    const ls = links(fullChain())
    const e = failure(() => verifyChain(chainOf([ls[0]!, ls[2]!]), atC()))
    expect([e.link, e.problem]).toEqual([1, 'order'])
  })

  it('refuses a widened scope (a method the link before did not allow)', async () => {
    const root = rawLink(a, { agent: 'planner', audience: `search@${b.id}`, methods: ['SendMessage'] })
    const wide = rawLink(b, { agent: 'search', audience: `ledger@${c.id}`, methods: ['SendMessage', 'CancelTask'], prev: await sha(root) })
    const e = failure(() => verifyChain(chainOf([root, wide]), atC()))
    expect([e.link, e.problem]).toEqual([1, 'widened'])
  })

  it('refuses a widened skill scope', async () => {
    const root = rawLink(a, { agent: 'planner', audience: `search@${b.id}`, skills: ['lookup'] })
    const wide = rawLink(b, { agent: 'search', audience: `ledger@${c.id}`, skills: ['lookup', 'transfer'], prev: await sha(root) })
    expect(failure(() => verifyChain(chainOf([root, wide]), { ...atC(), skill: 'lookup' })).problem).toBe('widened')
  })

  it('refuses an extended expiry', async () => {
    const root = rawLink(a, { agent: 'planner', audience: `search@${b.id}`, expiresMs: NOW + 60_000 })
    const later = rawLink(b, { agent: 'search', audience: `ledger@${c.id}`, expiresMs: NOW + 3_600_000, prev: await sha(root) })
    const e = failure(() => verifyChain(chainOf([root, later]), atC()))
    expect([e.link, e.problem]).toEqual([1, 'extended'])
  })

  it('refuses a chain past its maximum depth, and will not extend one that is full', async () => {
    const root = openChain(a.signer, a.cert, 'planner', `search@${b.id}`, { expiresMs: NOW + 60_000, maxDepth: 1 }, task, NOW)
    const atB = verifyChain(root, ctx({ peer: b.id, agent: 'search' }))
    expect(failure(() => extendChain(atB, b.signer, b.cert, 'search', `ledger@${c.id}`, {}, task, NOW)).problem).toBe('depth')
    const deeper = rawLink(b, { agent: 'search', audience: `ledger@${c.id}`, maxDepth: 1, prev: await sha(links(root)[0]!) })
    const e = failure(() => verifyChain(chainOf([links(root)[0]!, deeper]), atC()))
    expect([e.link, e.problem]).toEqual([1, 'depth'])
  })

  it('refuses a link signed by a peer not certified for the agent it speaks for', async () => {
    const root = rawLink(a, { agent: 'planner', audience: `search@${stranger.id}` })
    const fake = rawLink(stranger, { agent: 'search', audience: `ledger@${c.id}`, prev: await sha(root) })
    const e = failure(() => verifyChain(chainOf([root, fake]), ctx({ peer: c.id, agent: 'ledger' }, { peer: stranger.id, agent: 'search' })))
    expect([e.link, e.problem]).toEqual([1, 'not_certified'])
  })

  it('refuses a link carrying another peer\'s certificate', async () => {
    const root = rawLink(a, { agent: 'planner', audience: `search@${b.id}` })
    // The stranger signs, but presents B's certificate (which covers search).
    const lifted = rawLink({ ...stranger, cert: b.cert }, { agent: 'search', audience: `ledger@${c.id}`, prev: await sha(root) })
    expect(failure(() => verifyChain(chainOf([root, lifted]), atC())).problem).toBe('signature')
  })

  it('refuses a token replayed after expiry, and a chain made for another audience', () => {
    const token = chainToken(fullChain())
    const later = { ...atC(), now: NOW + 3_600_000 }
    expect(failure(() => verifyChain(chainFromToken(token)!, later)).problem).toBe('expired')
    expect(failure(() => verifyChain(chainFromToken(token)!, ctx({ peer: c.id, agent: 'other' }, { peer: b.id, agent: 'search' }))).problem).toBe('audience')
    expect(failure(() => verifyChain(chainFromToken(token)!, ctx({ peer: c.id, agent: 'ledger' }, { peer: a.id, agent: 'planner' }))).problem).toBe('sender')
  })

  it('refuses a method the chain does not allow, and a missing chain', () => {
    const root = openChain(a.signer, a.cert, 'planner', `search@${b.id}`, { methods: ['GetTask'], expiresMs: NOW + 60_000, maxDepth: 3 }, task, NOW)
    expect(failure(() => verifyChain(root, ctx({ peer: b.id, agent: 'search' }))).problem).toBe('method')
    expect(failure(() => verifyChain(new Uint8Array(0), atC())).problem).toBe('missing')
  })

  it('carries the token in message metadata', () => {
    const rpc = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: { message: { messageId: 'm', role: 'ROLE_USER', parts: [{ text: 'hi' }], metadata: { keep: 1 } } } })
    const t = chainToken(fullChain())
    const out = JSON.parse(withToken(rpc, t))
    expect(out.params.message.metadata).toEqual({ keep: 1, 'agentmesh.delegation': t })
    expect(tokenOf(out)).toBe(t)
    expect(withToken('{"jsonrpc":"2.0","method":"GetTask","params":{"id":"x"}}', t)).toBe('{"jsonrpc":"2.0","method":"GetTask","params":{"id":"x"}}')
  })
})
