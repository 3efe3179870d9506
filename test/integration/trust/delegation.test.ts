import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startAgent, type TestAgent } from '../../helpers/agents.js'
import { cleanup, runCli, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js'
import { sendAs } from '../../helpers/rpc.js'
import { certifiedHome, createTestAuthority, type TestAuthority } from '../../helpers/trust.js'
import { publishPolicy } from '../../../src/trust/index.js'
import { DelegationChain, DelegationLink, Signed } from '../../../src/pb/agentmesh.js'
import { chainFromToken, METADATA_KEY } from '../../../src/delegation/index.js'

// operator@A → planner@A (orchestrator) → search@B (its specialist) → ledger@C (a finance tool).
// Each agent passes the delegation token it received on with its own call, as a
// well-behaved agent does. A's chains live 8 s, so that expiry can be shown.
const POLICY = `
rules:
  - id: operator-calls-orchestrators
    effect: allow
    from: { role: operator }
    to: { role: orchestrator }
  - id: orchestrator-calls-own-specialists
    effect: allow
    from: { role: orchestrator }
    to: { role: specialist, parent: $from }
  - id: specialists-call-tools
    effect: allow
    from: { role: specialist }
    to: { role: tool }
  - id: finance-acts-only-for-the-operator
    effect: deny
    to: { group: finance }
    origin: { role: [orchestrator, specialist, tool] }
tests:
  - { expect: allow, from: "search:specialist:planner", to: "ledger:tool", toGroups: [finance], origin: operator }
  - { expect: deny, from: "search:specialist:planner", to: "ledger:tool", toGroups: [finance], origin: "search:specialist:planner", rule: finance-acts-only-for-the-operator }
`

let auth: TestAuthority
let a: TestDaemon, b: TestDaemon, c: TestDaemon
const agents: Record<string, TestAgent> = {}
const tokens: Record<string, string> = {}
/** The delegation tokens each forwarding agent received, in order. */
const seen: Record<string, string[]> = { planner: [], search: [] }

async function register (d: TestDaemon, name: string, agent: TestAgent): Promise<void> {
  agents[name] = agent
  const res = await d.api('POST', '/v1/agents', { name, url: agent.url })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  tokens[name] = res.body.token
}

/** An agent that, for each message, calls `next` through its own daemon with its token, passing the delegation token on. */
async function forwarder (name: string, daemon: () => TestDaemon, next: () => string): Promise<TestAgent> {
  return startAgent({
    kind: 'echo',
    name,
    onMessage: async (text, metadata) => {
      const token = metadata?.[METADATA_KEY]
      if (typeof token === 'string') seen[name]!.push(token)
      const r = await sendAs(daemon().apiSocket, next(), text, tokens[name], typeof token === 'string' ? { [METADATA_KEY]: token } : undefined)
      return r.text != null ? `${name} → ${r.text}` : `${name} failed: ${r.reason ?? ""} ${JSON.stringify(r.body)}`
    }
  })
}

/** The links of a token as `agent@peer → audience`. */
function path (token: string): string[] {
  return DelegationChain.decode(chainFromToken(token)!).links.map((l) => {
    const link = DelegationLink.decode(Signed.decode(l).body)
    return `${link.agent} → ${link.audience.split('@')[0]}`
  })
}

beforeAll(async () => {
  auth = await createTestAuthority()
  publishPolicy(auth.authority, POLICY, Date.now())
  const hc = await certifiedHome(auth, ['ledger:tool'], { groups: ['finance'] })
  c = await startDaemon({ home: hc.home, closed: true })
  const boot = ['--bootstrap', c.addresses[0]!]
  const hb = await certifiedHome(auth, ['search:specialist:planner', 'calc:tool'])
  b = await startDaemon({ home: hb.home, closed: true, args: boot })
  const ha = await certifiedHome(auth, ['planner:orchestrator'])
  const config = join(ha.home, 'config.json')
  writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), delegation: { ttlMs: 8_000, maxDepth: 5 } }))
  a = await startDaemon({ home: ha.home, closed: true, args: boot })
  await register(c, 'ledger', await startAgent({ kind: 'echo', name: 'ledger' }))
  await register(b, 'search', await forwarder('search', () => b, () => `ledger@${c.peerId}`))
  await register(b, 'calc', await startAgent({ kind: 'echo', name: 'calc' }))
  await register(a, 'planner', await forwarder('planner', () => a, () => `search@${b.peerId}`))
  for (const [d, peers] of [[a, [b, c]], [b, [c]]] as const) {
    for (const p of peers) {
      const res = await d.api('POST', '/v1/peers/connect', { multiaddr: p.addresses[0] })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      await waitFor(async () => (await d.api('GET', '/v1/trust')).body.verifiedPeers.some((v: any) => v.peer === p.peerId), 'certificates verified')
    }
  }
}, 60_000)

afterAll(async () => {
  await cleanup([a, b, c])
  await Promise.all(Object.values(agents).map(async (g) => g.close()))
  auth?.remove()
})

describe('delegation chains across three daemons', () => {
  it('operator → orchestrator → specialist → tool: delivered, every link verified, the whole chain at the tool', async () => {
    const r = await sendAs(a.apiSocket, 'planner', 'balance please')
    expect(r.text, JSON.stringify(r.body)).toBe('planner → search → echo: balance please')
    const atLedger = agents.ledger!.metadatas.at(-1)?.[METADATA_KEY]
    expect(typeof atLedger).toBe('string')
    expect(path(atLedger as string)).toEqual(['operator → planner', 'planner → search', 'search → ledger'])
    expect(path(seen.search!.at(-1)!)).toEqual(['operator → planner', 'planner → search'])
    // The tool's daemon wrote the whole chain into its audit log.
    const audit = await runCli(['audit', 'query', '--home', c.home, '--json', '--decision', 'accepted'])
    const record = JSON.parse(audit.stdout).find((x: any) => x.toAgent === 'ledger')
    expect(record.chain.map((l: any) => `${l.agent}@${l.signer} → ${l.audience}`)).toEqual([
      `operator@${a.peerId} → planner@${a.peerId}`, `planner@${a.peerId} → search@${b.peerId}`, `search@${b.peerId} → ledger@${c.peerId}`
    ])
  })

  it('a policy rule can demand a chain rooted in the operator: the specialist acting for itself is denied', async () => {
    const r = await sendAs(b.apiSocket, `ledger@${c.peerId}`, 'transfer everything', tokens.search)
    expect(r.reason, JSON.stringify(r.body)).toBe('POLICY_DENIED')
    expect(r.rule).toBe('finance-acts-only-for-the-operator')
  })

  it('a tampered token is refused by the agent\'s own daemon, naming the failing link', async () => {
    const good = seen.search!.at(-1)!
    const bytes = chainFromToken(good)!
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 0x10
    const r = await sendAs(b.apiSocket, `ledger@${c.peerId}`, 'forged', tokens.search, { [METADATA_KEY]: Buffer.from(bytes).toString('base64url') })
    expect(r.reason, JSON.stringify(r.body)).toBe('DELEGATION_INVALID')
    expect(typeof r.body.error.data.link).toBe('number')
  })

  it('a token taken by another agent is refused (it names its audience)', async () => {
    const r = await sendAs(b.apiSocket, `ledger@${c.peerId}`, 'stolen', tokens.calc, { [METADATA_KEY]: seen.search!.at(-1)! })
    expect(r.reason, JSON.stringify(r.body)).toBe('DELEGATION_INVALID')
    expect(r.body.error.data.problem).toBe('audience')
  })

  it('a token replayed after it expired is refused', async () => {
    const old = seen.search!.at(-1)!
    const expires = Math.min(...DelegationChain.decode(chainFromToken(old)!).links.map((l) => DelegationLink.decode(Signed.decode(l).body).expiresMs))
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expires - Date.now()) + 300))
    const r = await sendAs(b.apiSocket, `ledger@${c.peerId}`, 'replayed', tokens.search, { [METADATA_KEY]: old })
    expect(r.reason, JSON.stringify(r.body)).toBe('DELEGATION_INVALID')
    expect(r.body.error.data.problem).toBe('expired')
  }, 20_000)
})
