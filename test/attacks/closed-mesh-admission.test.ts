import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dhtProtocol } from '../../src/node/index.js'
import { JoinBundle } from '../../src/pb/agentmesh.js'
import { startAgent, type TestAgent } from '../helpers/agents.js'
import { expectEchoResult, expectNotAccepted, summary } from '../helpers/attack-target.js'
import { waitFor, type TestDaemon } from '../helpers/daemon.js'
import { metricsText, metricValue, registerAgent } from '../helpers/mesh-api.js'
import { loopbackAddress, RawPeer } from '../helpers/raw-peer.js'
import { createTestAuthority, startCertifiedDaemon, type TestAuthority } from '../helpers/trust.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'

// A closed-mesh daemon hosting specialist `echo` (parent `planner`), attacked
// by raw peers that present no certificate, a silent peer, and certificates
// that are foreign, expired, not yet valid, for another peer, or forged. Each
// is refused at hello with its reason, counted, and gets no task through; a
// properly certified orchestrator gets through (the control).

let auth: TestAuthority
let foreign: TestAuthority
let daemon: TestDaemon
let agent: TestAgent
const peers: RawPeer[] = []

beforeAll(async () => {
  ;[auth, foreign] = await Promise.all([createTestAuthority(), createTestAuthority()])
  ;[daemon, agent] = await Promise.all([
    startCertifiedDaemon(auth, ['echo:specialist:planner']),
    startAgent({ kind: 'echo', name: 'echo' })
  ])
  await registerAgent(daemon, 'echo', agent.url)
})

afterAll(async () => {
  await Promise.all([daemon?.stop(), agent?.close(), ...peers.map(async (p) => p.stop().catch(() => {}))])
  auth?.remove()
  foreign?.remove()
})

/** The certificate inside a bundle. */
function certOf (bundle: Uint8Array): Uint8Array {
  return JoinBundle.decode(bundle).certificate
}

/** A raw peer saying hello with `certificate` (or none). */
async function peerWith (certificate?: (peerId: string) => Uint8Array): Promise<RawPeer> {
  const key = await generateKeyPair('Ed25519')
  const id = peerIdFromPrivateKey(key).toString()
  const cert = certificate?.(id)
  const peer = await RawPeer.start(key, { hello: cert != null ? { certificate: cert as Uint8Array<ArrayBuffer> } : {} })
  peer.chainCertificate = cert
  peers.push(peer)
  return peer
}

/** How much longer `peer` is kept off, per the daemon's trust view (0 when it is not). */
async function refusedForMs (peer: string): Promise<number> {
  const entry = (await daemon.api('GET', '/v1/trust')).body.refusedPeers.find((p: any) => p.peer === peer)
  return entry == null ? 0 : Math.max(0, Date.parse(entry.until) - Date.now())
}

async function refused (reason: string): Promise<number> {
  return metricValue(await metricsText(daemon), 'agentmesh_peers_refused_total', { reason })
}

/** Sends a task as `peer`; asserts nothing got through, the echo agent saw nothing, and the refusal was counted under `reason`. */
async function expectRefused (peer: RawPeer, reason: string, before: number): Promise<void> {
  const seen = agent.total()
  const { exchange } = await peer.sendFresh(daemon, 'echo', { }).catch((err) => ({ exchange: { frames: [], end: 'reset', undecodable: [], error: String(err) } as any }))
  expectNotAccepted(exchange)
  expect(agent.total(), 'the agent received nothing').toBe(seen)
  await waitFor(async () => (await refused(reason)) > before, `peers_refused_total{reason=${reason}} to rise`)
  const trust = (await daemon.api('GET', '/v1/trust')).body
  expect(trust.verifiedPeers.map((p: any) => p.peer)).not.toContain(peer.peerId)
  expect(trust.refusedPeers.find((p: any) => p.peer === peer.peerId)?.reason ?? '', JSON.stringify(trust.refusedPeers)).toMatch(new RegExp(`^${reason}`))
}

describe('closed mesh: who gets in', () => {
  it('a certified orchestrator gets its task to its own specialist (the control)', async () => {
    const peer = await peerWith((id) => certOf(auth.issue(id, ['planner:orchestrator'])))
    peer.agent = 'planner'
    const { sealed, exchange } = await peer.sendFresh(daemon, 'echo')
    expectEchoResult(exchange, sealed)
    expect(peer.refusals).toEqual([])
  })

  it('a peer with no certificate is refused at hello, answered no DHT query and never enters the routing table', async () => {
    const before = await refused('NO_CERTIFICATE')
    const peer = await peerWith()
    await expectRefused(peer, 'NO_CERTIFICATE', before)
    // The daemon answers the hello with its reason before it counts the refusal, but the peer
    // reads that answer on its own schedule: wait for it (a missing answer still fails here).
    await waitFor(async () => /NO_CERTIFICATE/.test(peer.refusals.join()), 'the refusal\'s reason to reach the peer', 5_000).catch(() => {})
    expect(peer.refusals.join(), 'the daemon told the peer why').toMatch(/NO_CERTIFICATE/)
    // The refused peer cannot even open a DHT stream: it is kept off.
    await expect(peer.node.dialProtocol(multiaddr(loopbackAddress(daemon)), dhtProtocol('agentmesh'), { signal: AbortSignal.timeout(5_000) })).rejects.toThrow()
    const status = (await daemon.api('GET', '/v1/status')).body
    expect(status.dht.routingTable, 'the refused peer is not in the routing table').not.toContain(peer.peerId)
  })

  it('a peer that never says hello is refused when the hello time runs out', async () => {
    const before = await refused('HELLO_FAILED')
    const peer = await RawPeer.start()
    peers.push(peer)
    const seen = agent.total()
    const { exchange } = await peer.sendFresh(daemon, 'echo', {}).then(async (r) => r)
    expectNotAccepted(exchange)
    expect(agent.total()).toBe(seen)
    await waitFor(async () => (await refused('HELLO_FAILED')) > before, 'HELLO_FAILED counted', 20_000)
    expect(await refusedForMs(peer.peerId), 'a silent peer is kept off for the short back-off').toBeLessThanOrEqual(5_500)
  }, 40_000)

  it('a certificate from a foreign authority is refused, and kept off for the full back-off', async () => {
    const before = await refused('UNTRUSTED_ISSUER')
    const peer = await peerWith((id) => certOf(foreign.issue(id, ['planner:orchestrator'])))
    await expectRefused(peer, 'UNTRUSTED_ISSUER', before)
    expect(await refusedForMs(peer.peerId), 'a bad certificate is kept off for about 30 s').toBeGreaterThan(20_000)
  })

  it('a hello that breaks off (a transport failure, not a bad certificate) keeps the peer off only for the short back-off, and it gets in afterwards', async () => {
    const before = await refused('HELLO_FAILED')
    const key = await generateKeyPair('Ed25519')
    const id = peerIdFromPrivateKey(key).toString()
    const peer = await RawPeer.start(key, { hello: { certificate: certOf(auth.issue(id, ['planner:orchestrator'])) as Uint8Array<ArrayBuffer> }, helloBreaks: true })
    peers.push(peer)
    await peer.node.dial(multiaddr(loopbackAddress(daemon)), { signal: AbortSignal.timeout(5_000) })
    await waitFor(async () => (await refused('HELLO_FAILED')) > before, 'HELLO_FAILED counted')
    const offFor = await refusedForMs(peer.peerId)
    expect(offFor, 'refused').toBeGreaterThan(0)
    expect(offFor, 'a failed hello is kept off for at most the 5 s join back-off').toBeLessThanOrEqual(5_500)
    peer.helloBreaks = false
    await waitFor(async () => (await refusedForMs(peer.peerId)) === 0, 'the back-off to end', 10_000)
    await peer.node.dial(multiaddr(loopbackAddress(daemon)), { signal: AbortSignal.timeout(5_000) })
    await waitFor(async () => (await daemon.api('GET', '/v1/trust')).body.verifiedPeers.some((p: any) => p.peer === peer.peerId), 'the peer verified on its next connection')
  }, 40_000)

  it('a certified peer whose hello is slow (7 s, a busy host) still enters the routing table: identify waits for the hello gate', async () => {
    const key = await generateKeyPair('Ed25519')
    const id = peerIdFromPrivateKey(key).toString()
    const peer = await RawPeer.start(key, { hello: { certificate: certOf(auth.issue(id, ['planner:orchestrator'])) as Uint8Array<ArrayBuffer> }, helloDelayMs: 7_000 })
    peers.push(peer)
    await peer.node.dial(multiaddr(loopbackAddress(daemon)), { signal: AbortSignal.timeout(5_000) })
    await waitFor(async () => (await daemon.api('GET', '/v1/trust')).body.verifiedPeers.some((p: any) => p.peer === peer.peerId), 'the peer verified', 15_000)
    await waitFor(async () => ((await daemon.api('GET', '/v1/status')).body.dht.routingTable as string[]).includes(peer.peerId), 'the peer in the routing table', 15_000)
  }, 40_000)

  it('an expired certificate is refused', async () => {
    const before = await refused('EXPIRED')
    await expectRefused(await peerWith((id) => certOf(auth.issue(id, ['planner:orchestrator'], { validForMs: 1_000, now: Date.now() - 120_000 }))), 'EXPIRED', before)
  })

  it('a certificate that expires while its peer is connected and verified is refused by the next sweep, and its next task is not accepted', async () => {
    const before = await refused('EXPIRED')
    // Valid for 4 s from now: the hello verifies, the control task goes through.
    const peer = await peerWith((id) => certOf(auth.issue(id, ['planner:orchestrator'], { validForMs: 4_000 })))
    peer.agent = 'planner'
    const { sealed, exchange } = await peer.sendFresh(daemon, 'echo')
    expectEchoResult(exchange, sealed)
    expect((await daemon.api('GET', '/v1/trust')).body.verifiedPeers.map((p: any) => p.peer)).toContain(peer.peerId)
    // Nothing else changes on the daemon: only the clock passing notAfter can make the sweep (every 5 s) refuse it.
    await waitFor(async () => (await refused('EXPIRED')) > before, 'the sweep to refuse the expired peer', 15_000)
    const trust = (await daemon.api('GET', '/v1/trust')).body
    expect(trust.verifiedPeers.map((p: any) => p.peer)).not.toContain(peer.peerId)
    expect(trust.refusedPeers.find((p: any) => p.peer === peer.peerId)?.reason ?? '').toMatch(/^EXPIRED/)
    const seen = agent.total()
    const after = await peer.sendFresh(daemon, 'echo', { }).catch((err) => ({ exchange: { frames: [], end: 'reset', undecodable: [], error: String(err) } as any }))
    expectNotAccepted(after.exchange)
    expect(agent.total(), 'the agent received nothing after the expiry').toBe(seen)
  }, 40_000)

  it('a certificate not yet valid is refused', async () => {
    const before = await refused('NOT_YET_VALID')
    await expectRefused(await peerWith((id) => certOf(auth.issue(id, ['planner:orchestrator'], { now: Date.now() + 3_600_000 }))), 'NOT_YET_VALID', before)
  })

  it('a certificate issued for another peer ID is refused', async () => {
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const before = await refused('WRONG_SUBJECT')
    await expectRefused(await peerWith(() => certOf(auth.issue(other, ['planner:orchestrator']))), 'WRONG_SUBJECT', before)
  })

  it('a certificate whose signature was tampered with is refused', async () => {
    const before = await refused('BAD_CERTIFICATE_SIGNATURE')
    await expectRefused(await peerWith((id) => {
      const bytes = certOf(auth.issue(id, ['planner:orchestrator'])).slice()
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01
      return bytes
    }), 'BAD_CERTIFICATE_SIGNATURE', before)
  })

  it('a certified peer that forges the sender agent in its envelope is refused (SENDER_NOT_CERTIFIED)', async () => {
    const peer = await peerWith((id) => certOf(auth.issue(id, ['mallory:specialist:planner'])))
    peer.agent = 'planner'
    const seen = agent.total()
    const { exchange } = await peer.sendFresh(daemon, 'echo')
    expect(exchange.errorCode, summary(exchange)).toBe('SENDER_NOT_CERTIFIED')
    expectNotAccepted(exchange)
    expect(agent.total()).toBe(seen)
    expect(metricValue(await metricsText(daemon), 'agentmesh_envelopes_rejected_total', { reason: 'SENDER_NOT_CERTIFIED' })).toBeGreaterThan(0)
  })

  it('a certified peer sending a task with no delegation chain, or with one made for another agent, is refused (DELEGATION_INVALID)', async () => {
    const peer = await peerWith((id) => certOf(auth.issue(id, ['planner:orchestrator'])))
    peer.agent = 'planner'
    const seen = agent.total()
    const cert = peer.chainCertificate
    peer.chainCertificate = undefined
    const bare = await peer.sendFresh(daemon, 'echo')
    expect(bare.exchange.errorCode, summary(bare.exchange)).toBe('DELEGATION_INVALID')
    peer.chainCertificate = cert
    // A valid chain, but for another audience (lifted from a task to another agent).
    const sealed = peer.seal(daemon, 'other-agent')
    const misdirected = peer.seal(daemon, 'echo', { delegation: sealed.fields.delegation! })
    const exchange = await peer.send(daemon, misdirected.bytes)
    expect(exchange.errorCode, summary(exchange)).toBe('DELEGATION_INVALID')
    expect(exchange.frames[0]?.payload?.message).toMatch(/delegates to other-agent@/)
    expect(agent.total()).toBe(seen)
  })

  it('a certified specialist calling its sibling is refused by the receiver (POLICY_DENIED, with the rule)', async () => {
    const peer = await peerWith((id) => certOf(auth.issue(id, ['mallory:specialist:planner'])))
    peer.agent = 'mallory'
    const seen = agent.total()
    const { exchange } = await peer.sendFresh(daemon, 'echo')
    expect(exchange.errorCode, summary(exchange)).toBe('POLICY_DENIED')
    expect(typeof exchange.frames[0]?.payload?.rule).toBe('string')
    expect(agent.total()).toBe(seen)
    expect(metricValue(await metricsText(daemon), 'agentmesh_policy_denied_total', { side: 'ingress' })).toBeGreaterThan(0)
  })
})
