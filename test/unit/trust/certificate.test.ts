import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createSigner, createVerifier } from '../../../src/envelope/index.js'
import {
  checkCertificate, openCertificate, openPolicyRelease, openRevocationList, parseGrant, signCertificate, signPolicyRelease, signRevocationList,
  TrustError, TrustStore, installBundle, initAuthority, issueBundle, revokeSerial, publishPolicy, type Certificate
} from '../../../src/trust/index.js'
import { examplePolicyYaml } from '../../../src/policy/index.js'

const verifier = createVerifier()
const dirs: string[] = []
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'am-trust-')); dirs.push(d); return d }
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

async function keypair (): Promise<{ signer: ReturnType<typeof createSigner>, id: string }> {
  const key = await generateKeyPair('Ed25519')
  return { signer: createSigner(key), id: peerIdFromPrivateKey(key).toString() }
}

function cert (issuer: string, subject: string, overrides: Partial<Certificate> = {}): Certificate {
  const now = Date.now()
  return { serial: 7, issuer, subject, agents: [{ name: 'search', role: 'specialist', parent: 'planner' }], groups: ['research'], notBeforeMs: now - 1000, notAfterMs: now + 60_000, issuedMs: now, ...overrides }
}

function codeOf (fn: () => unknown): string | undefined {
  try { fn(); return undefined } catch (err) { expect(err).toBeInstanceOf(TrustError); return (err as TrustError).code }
}

describe('certificates', () => {
  it('round-trips and checks a valid certificate', async () => {
    const auth = await keypair()
    const peer = await keypair()
    const opened = openCertificate(signCertificate(cert(auth.id, peer.id), auth.signer), verifier)
    expect(opened.agents[0]).toEqual({ name: 'search', role: 'specialist', parent: 'planner' })
    expect(codeOf(() => { checkCertificate(opened, { subject: peer.id, trusted: new Set([auth.id]), now: Date.now(), isRevoked: () => false }) })).toBeUndefined()
  })

  it('refuses each kind of bad certificate with its own code', async () => {
    const auth = await keypair()
    const other = await keypair()
    const peer = await keypair()
    const check = (c: Certificate, extra: { trusted?: string[], revoked?: boolean, subject?: string } = {}): string | undefined => codeOf(() => {
      checkCertificate(c, { subject: extra.subject ?? peer.id, trusted: new Set(extra.trusted ?? [auth.id]), now: Date.now(), isRevoked: () => extra.revoked === true })
    })
    expect(check(cert(other.id, peer.id))).toBe('UNTRUSTED_ISSUER')
    expect(check(cert(auth.id, other.id))).toBe('WRONG_SUBJECT')
    expect(check(cert(auth.id, peer.id, { notBeforeMs: Date.now() + 10_000 }))).toBe('NOT_YET_VALID')
    expect(check(cert(auth.id, peer.id, { notAfterMs: Date.now() - 1 }))).toBe('EXPIRED')
    expect(check(cert(auth.id, peer.id), { revoked: true })).toBe('REVOKED')
  })

  it('refuses a certificate signed by a key other than its named issuer, and any flipped byte', async () => {
    const auth = await keypair()
    const forger = await keypair()
    const peer = await keypair()
    // The forger signs a certificate naming the real authority as issuer.
    expect(() => signCertificate(cert(auth.id, peer.id), forger.signer)).toThrow(TrustError)
    const good = signCertificate(cert(auth.id, peer.id), auth.signer)
    let refused = 0
    for (let i = 0; i < good.length; i++) {
      const bad = good.slice()
      bad[i] = (bad[i] ?? 0) ^ 0x04
      try { openCertificate(bad, verifier) } catch (err) { expect(err).toBeInstanceOf(TrustError); refused++ }
    }
    expect(refused).toBe(good.length)
  })

  it('parses NAME:ROLE[:PARENT] grants and refuses bad ones', () => {
    expect(parseGrant('search:specialist:planner')).toEqual({ name: 'search', role: 'specialist', parent: 'planner' })
    expect(parseGrant('planner:orchestrator')).toEqual({ name: 'planner', role: 'orchestrator', parent: '' })
    for (const bad of ['search', ':specialist', 'a::', 'a:b:c:d', 'a:b:']) expect(() => parseGrant(bad), bad).toThrow(TrustError)
  })
})

describe('policy releases and revocation lists', () => {
  it('open only when signed by their named issuer', async () => {
    const auth = await keypair()
    const forger = await keypair()
    const policy = signPolicyRelease({ issuer: auth.id, version: 3, issuedMs: 1, document: '{"rules":[]}' }, auth.signer)
    expect(openPolicyRelease(policy, verifier).version).toBe(3)
    const forged = signPolicyRelease({ issuer: auth.id, version: 4, issuedMs: 1, document: '{"rules":[]}' }, forger.signer)
    expect(codeOf(() => openPolicyRelease(forged, verifier))).toBe('BAD_DOCUMENT')
    const list = signRevocationList({ issuer: auth.id, version: 2, issuedMs: 1, serials: [5, 9] }, auth.signer)
    expect(openRevocationList(list, verifier).serials).toEqual([5, 9])
    expect(codeOf(() => openRevocationList(policy, verifier)), 'a policy is no revocation list (domain separation)').toBe('BAD_DOCUMENT')
  })
})

describe('authority, bundle and trust store', () => {
  it('issues a bundle a home installs; the store keeps only newer documents from trusted issuers', async () => {
    const { authority } = await initAuthority(join(tmp(), 'authority'), Date.now())
    const peer = await keypair()
    const trustDir = join(tmp(), 'trust')
    const { bundle } = issueBundle(authority, { peer: peer.id, agents: ['search:specialist:planner'], groups: ['research'], now: Date.now() })
    const installed = installBundle(trustDir, bundle, peer.id, verifier, Date.now())
    expect(installed.subject).toBe(peer.id)

    const store = new TrustStore({ dir: trustDir, localPeer: peer.id, verifier, now: Date.now })
    store.load()
    expect(store.ownProblem()).toBeUndefined()
    expect(store.trusted().has(authority.id)).toBe(true)
    expect(store.policy()?.release.version).toBe(1)

    const v2 = publishPolicy(authority, examplePolicyYaml, Date.now())
    expect(store.offer({ policies: [v2] })).toBe(1)
    expect(store.offer({ policies: [v2] }), 'the same version again is not newer').toBe(0)
    // The documents every hello carries are the ones held: the same bytes are not verified again.
    let checks = 0
    const counting = new TrustStore({ dir: trustDir, localPeer: peer.id, verifier: { verify: (p, d, s) => { checks++; return verifier.verify(p, d, s) } }, now: Date.now })
    counting.load()
    const afterLoad = checks
    expect(counting.offer({ policies: [v2] })).toBe(0)
    expect(checks, 'held bytes need no signature check').toBe(afterLoad)
    const v2Flipped = v2.slice()
    v2Flipped[v2Flipped.length - 1] = (v2Flipped[v2Flipped.length - 1] ?? 0) ^ 1
    const flippedErrors: string[] = []
    expect(counting.offer({ policies: [v2Flipped] }, (e) => flippedErrors.push((e as TrustError).code))).toBe(0)
    expect(flippedErrors.length, 'bytes that differ are verified, and a flipped byte is refused').toBe(1)
    const revoked = revokeSerial(authority, installed.serial, Date.now())
    expect(store.offer({ revocations: [revoked] })).toBe(1)
    expect(store.ownProblem()?.code).toBe('REVOKED')

    // A stranger's documents are never taken.
    const stranger = (await initAuthority(join(tmp(), 'stranger'), Date.now())).authority
    const errors: string[] = []
    expect(store.offer({ policies: [publishPolicy(stranger, examplePolicyYaml, Date.now())] }, (e) => errors.push((e as TrustError).code))).toBe(0)
    expect(errors).toEqual(['UNTRUSTED_ISSUER'])

    // What was taken survives a reload (it is on disk).
    const again = new TrustStore({ dir: trustDir, localPeer: peer.id, verifier, now: Date.now })
    again.load()
    expect(again.policy()?.release.version).toBe(2)
    expect(again.isRevoked(authority.id, installed.serial)).toBe(true)
  })

  it('refuses a bundle for another peer, naming both', async () => {
    const { authority } = await initAuthority(join(tmp(), 'authority'), Date.now())
    const peer = await keypair()
    const other = await keypair()
    const { bundle } = issueBundle(authority, { peer: other.id, agents: ['a:specialist'], now: Date.now() })
    expect(() => installBundle(join(tmp(), 'trust'), bundle, peer.id, verifier, Date.now())).toThrow(new RegExp(`${other.id}.*${peer.id}`))
  })

  it('refuses to create an authority inside a daemon home', async () => {
    const home = tmp()
    const { initHome } = await import('../../../src/home/index.js')
    await initHome(home)
    await expect(initAuthority(join(home, 'authority'), Date.now())).rejects.toThrow(/inside the daemon home/)
  })
})
