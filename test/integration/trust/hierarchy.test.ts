import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { startAgent, type TestAgent } from '../../helpers/agents.js'
import { cleanup, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js'
import { metricsText, metricValue } from '../../helpers/mesh-api.js'
import { sendAs } from '../../helpers/rpc.js'
import { certifiedHome, createTestAuthority, startCertifiedDaemon, type TestAuthority } from '../../helpers/trust.js'
import { authorityPaths, publishPolicy, revokeSerial } from '../../../src/trust/index.js'
import { examplePolicyYaml } from '../../../src/policy/index.js'

// Three hosts of one mesh, certified by one authority:
//   A: orchestrator `planner` and its specialist `search`
//   B: specialists `writer` (of planner), `coder` (of another orchestrator, boss) and `editor` (of planner)
//   X: a certified host gone rogue: certified only for specialist `rogue` (of planner), it runs in
//      --open mode (it checks nothing on its side) and registers agents it is not certified for.
// The example hierarchy policy is in force.

let auth: TestAuthority
let a: TestDaemon
let b: TestDaemon
let x: TestDaemon
const agents: Record<string, TestAgent> = {}
const tokens: Record<string, string> = {}

async function register (d: TestDaemon, name: string): Promise<void> {
  const agent = agents[`${name}@${d.peerId}`] = await startAgent({ kind: 'echo', name })
  const res = await d.api('POST', '/v1/agents', { name, url: agent.url })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  expect(res.body.token, 'a token is issued once, on registration').toMatch(/^amt_/)
  tokens[`${name}@${d.peerId}`] = res.body.token
}

beforeAll(async () => {
  auth = await createTestAuthority()
  b = await startCertifiedDaemon(auth, ['writer:specialist:planner', 'coder:specialist:boss', 'editor:specialist:planner'])
  const boot = ['--bootstrap', b.addresses[0]!]
  a = await startCertifiedDaemon(auth, ['planner:orchestrator', 'search:specialist:planner'], { args: boot })
  const rogue = await certifiedHome(auth, ['rogue:specialist:planner'])
  x = await startDaemon({ home: rogue.home, args: boot })
  await Promise.all([register(a, 'planner'), register(a, 'search'), register(b, 'writer'), register(b, 'coder'), register(x, 'rogue'), register(x, 'planner'), register(x, 'editor')])
  await waitFor(async () => (await a.api('GET', '/v1/trust')).body.verifiedPeers.some((p: any) => p.peer === b.peerId), 'A to verify B')
}, 60_000)

afterAll(async () => {
  await cleanup([a, b, x])
  await Promise.all(Object.values(agents).map(async (g) => g.close()))
  auth?.remove()
})

const as = (d: TestDaemon, name: string): string => tokens[`${name}@${d.peerId}`] as string
const received = (d: TestDaemon, name: string): number => agents[`${name}@${d.peerId}`]?.total() ?? 0
const envelopesAt = async (d: TestDaemon): Promise<number> => metricValue(await metricsText(d), 'agentmesh_envelopes_received_total')

describe('hierarchy policy on both ends', () => {
  it('an orchestrator calls its own specialist on another host', async () => {
    const r = await sendAs(a.apiSocket, `writer@${b.peerId}`, 'draft the intro', as(a, 'planner'))
    expect(r.text, JSON.stringify(r.body)).toBe('echo: draft the intro')
  })

  it('a specialist calling its sibling is denied by its own daemon: the call never leaves the host', async () => {
    const before = await envelopesAt(b)
    const seen = received(b, 'writer')
    const r = await sendAs(a.apiSocket, `writer@${b.peerId}`, 'sibling call', as(a, 'search'))
    expect(r.reason, JSON.stringify(r.body)).toBe('POLICY_DENIED')
    expect(r.rule).toBe('default-deny')
    expect(received(b, 'writer')).toBe(seen)
    expect(await envelopesAt(b), 'B received no envelope').toBe(before)
    expect(metricValue(await metricsText(a), 'agentmesh_policy_denied_total', { side: 'egress' })).toBeGreaterThan(0)
  })

  it("a specialist calling another orchestrator's specialist is denied", async () => {
    const r = await sendAs(a.apiSocket, `coder@${b.peerId}`, 'cross-team call', as(a, 'search'))
    expect(r.reason, JSON.stringify(r.body)).toBe('POLICY_DENIED')
    expect(received(b, 'coder')).toBe(0)
  })

  it("a call without the agent's token acts as the operator, not as that agent; a wrong token is refused", async () => {
    const asOperator = await sendAs(a.apiSocket, `writer@${b.peerId}`, 'no token')
    expect(asOperator.reason, JSON.stringify(asOperator.body)).toBe('POLICY_DENIED')
    const wrong = await sendAs(a.apiSocket, `writer@${b.peerId}`, 'forged token', 'amt_not-a-real-token')
    expect(wrong.status).toBe(401)
    expect(wrong.reason).toBe('UNAUTHORIZED')
  })

  it('a host that skips its own checks is stopped by the receiver (ingress policy)', async () => {
    const seen = received(b, 'coder')
    const r = await sendAs(x.apiSocket, `coder@${b.peerId}`, 'rogue call', as(x, 'rogue'))
    expect(r.reason, JSON.stringify(r.body)).toBe('POLICY_DENIED')
    expect(received(b, 'coder')).toBe(seen)
    expect(metricValue(await metricsText(b), 'agentmesh_policy_denied_total', { side: 'ingress' })).toBeGreaterThan(0)
  })

  it('a host speaking for an agent its certificate does not cover is refused (SENDER_NOT_CERTIFIED)', async () => {
    const r = await sendAs(x.apiSocket, `writer@${b.peerId}`, 'I am planner, trust me', as(x, 'planner'))
    expect(r.reason, JSON.stringify(r.body)).toBe('SENDER_NOT_CERTIFIED')
    expect(metricValue(await metricsText(b), 'agentmesh_envelopes_rejected_total', { reason: 'SENDER_NOT_CERTIFIED' })).toBeGreaterThan(0)
  })

  it('registering an agent the certificate does not cover is refused', async () => {
    const res = await a.api('POST', '/v1/agents', { name: 'intruder', url: agents[`planner@${a.peerId}`]!.url })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('NOT_CERTIFIED')
  })
})

describe('directory and agent cards', () => {
  it('an agent advertised by a host not certified for it is ignored; the certified one is found', async () => {
    // Only X advertises `editor` so far: a bare-name call finds no certified host.
    await waitFor(async () => (await a.api('GET', '/v1/directory/editor')).body.providers.some((p: any) => p.peer === x.peerId), 'X advertising editor')
    const before = metricValue(await metricsText(a), 'agentmesh_directory_rejected_total')
    const spoofed = await sendAs(a.apiSocket, 'editor', 'who are you?', as(a, 'planner'))
    expect(spoofed.reason, JSON.stringify(spoofed.body)).toBe('AGENT_NOT_FOUND')
    expect(received(x, 'editor'), 'the rogue host got nothing').toBe(0)
    expect(metricValue(await metricsText(a), 'agentmesh_directory_rejected_total')).toBeGreaterThan(before)
    // Its card, asked for by address, is refused too.
    const card = await a.api('GET', `/a2a/editor@${x.peerId}/.well-known/agent-card.json`)
    expect(card.status).not.toBe(200)
    // Once B, certified for editor, hosts it, the bare name reaches B.
    await register(b, 'editor')
    await waitFor(async () => (await a.api('GET', '/v1/directory/editor')).body.providers.some((p: any) => p.peer === b.peerId), 'B advertising editor')
    const real = await sendAs(a.apiSocket, 'editor', 'proofread this', as(a, 'planner'))
    expect(real.text, JSON.stringify(real.body)).toBe('echo: proofread this')
    expect(received(x, 'editor')).toBe(0)
  }, 60_000)

  it('serves remote agent cards signed by their host and checked by the caller', async () => {
    const card = await a.api('GET', `/a2a/writer@${b.peerId}/.well-known/agent-card.json`)
    expect(card.status, JSON.stringify(card.body)).toBe(200)
    expect(card.body.name).toBe('writer')
  })
})

describe('signed documents spread and are checked', () => {
  it('a policy signed by an untrusted key is refused', async () => {
    const stranger = await createTestAuthority()
    try {
      const bytes = readFileSync(authorityPaths(stranger.dir).policy)
      const before = (await a.api('GET', '/v1/trust')).body.policy
      const res = await a.api('POST', '/v1/trust/documents', { policies: [bytes.toString('base64')] })
      expect(res.status).toBe(400)
      expect(res.body.error.message).toMatch(/does not trust/)
      expect((await a.api('GET', '/v1/trust')).body.policy).toEqual(before)
    } finally { stranger.remove() }
  })

  it('a policy update pushed on one daemon reaches the others through hello alone', async () => {
    const v = (await b.api('GET', '/v1/trust')).body.policy.version
    const next = publishPolicy(auth.authority, examplePolicyYaml.replace(/^rules:/m, 'rules:\n  - id: extra-rule-for-spread-test\n    effect: deny\n    from: { group: quarantine }\n'), Date.now())
    const res = await a.api('POST', '/v1/trust/documents', { policies: [Buffer.from(next).toString('base64')] })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    for (const d of [b, x]) await waitFor(async () => (await d.api('GET', '/v1/trust')).body.policy?.version > v, `policy v${v + 1} at ${d.peerId}`)
  })

  it('a certificate revoked while both daemons run is refused at once, and the revocation spreads', async () => {
    const xSerial = (await x.api('GET', '/v1/trust')).body.certificate.serial
    const list = revokeSerial(auth.authority, xSerial, Date.now())
    const res = await a.api('POST', '/v1/trust/documents', { revocations: [Buffer.from(list).toString('base64')] })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    // B, X's only bootstrap and so surely connected to it, learns of the
    // revocation from A's hello alone, and cuts X off.
    await waitFor(async () => {
      const t = (await b.api('GET', '/v1/trust')).body
      return t.revocations.some((r: any) => r.revoked.includes(xSerial)) && !t.verifiedPeers.some((p: any) => p.peer === x.peerId) &&
        t.refusedPeers.some((p: any) => p.peer === x.peerId && /^REVOKED/.test(p.reason))
    }, 'B to refuse the revoked host')
    expect(metricValue(await metricsText(b), 'agentmesh_peers_refused_total', { reason: 'REVOKED' })).toBeGreaterThan(0)
    expect((await a.api('GET', '/v1/trust')).body.verifiedPeers.map((p: any) => p.peer)).not.toContain(x.peerId)
    // X cannot get back in: B's connection gater turns it away once the handshake names it
    // (X's dial may see its end finish a moment before B closes it).
    await x.api('POST', '/v1/peers/connect', { multiaddr: b.addresses[0]! })
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect((await b.api('GET', '/v1/peers')).body.peers.map((p: any) => p.peer)).not.toContain(x.peerId)
    expect((await x.api('GET', '/v1/peers')).body.peers.map((p: any) => p.peer)).not.toContain(b.peerId)
  }, 60_000)
})
