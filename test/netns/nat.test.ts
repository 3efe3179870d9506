import { afterAll, describe, expect, it } from 'vitest'
import { startAgentProcess, type AgentProcess } from '../helpers/agents.js'
import { startDaemon, waitFor, type TestDaemon } from '../helpers/daemon.js'
import { airGapped, netnsUnavailable, oneNat, twoNats, twoNatsSymmetric, type Topology } from '../helpers/netns-topology.js'
import { sendAs } from '../helpers/rpc.js'
import { certifiedHome, createTestAuthority, type TestAuthority } from '../helpers/trust.js'
import { rmSync } from 'node:fs'

const skip = netnsUnavailable()
if (skip != null) console.warn(`skipping NAT namespace tests: ${skip}`)

// Real daemons on emulated networks (network namespaces, veth, a bridge as the
// public segment, iptables MASQUERADE routers), a closed mesh with one authority.
// The NAT matrix these runs measure is printed at the end of the file.

const PORT = 4401
const matrix: Array<Record<string, string | number>> = []
let auth: TestAuthority | undefined

async function host (topo: Topology, name: string, agents: string[], args: string[]): Promise<TestDaemon> {
  auth ??= await createTestAuthority()
  const { home } = await certifiedHome(auth, agents)
  return startDaemon({ home, closed: true, prefix: topo.exec(name as never), bareArgs: true, args: ['--listen', `/ip4/0.0.0.0/tcp/${PORT}`, '--log-level', 'info', ...args] })
}

/** Starts the public relay and bootstrap host R; the flags its clients bootstrap with. */
async function relayHost (topo: Topology, daemons: TestDaemon[]): Promise<{ r: TestDaemon, boot: string[] }> {
  const r = await host(topo, 'R', ['relay-host:orchestrator'], ['--relay', '--no-mdns'])
  daemons.push(r)
  return { r, boot: ['--no-mdns', '--bootstrap', `/ip4/${topo.hosts.R.addr}/tcp/${PORT}/p2p/${r.peerId}`] }
}

/**
 * The relay host R, a client host and a server host bootstrapped to it, an echo
 * agent on the server; resolves once the server holds a relay reservation.
 */
async function relayedPair (topo: Topology, clientHost: string, serverHost: string, daemons: TestDaemon[], agents: AgentProcess[]): Promise<{ r: TestDaemon, client: TestDaemon, server: TestDaemon, echo: AgentProcess }> {
  const { r, boot } = await relayHost(topo, daemons)
  const client = await host(topo, clientHost, ['client:orchestrator'], boot)
  const server = await host(topo, serverHost, ['echo:orchestrator'], boot)
  daemons.push(client, server)
  const echo = await agentOn(topo, serverHost, 'echo', server)
  agents.push(echo)
  await waitFor(async () => (await server.api('GET', '/v1/status')).body.addresses.some((a: string) => a.includes('/p2p-circuit')), `${serverHost} to reserve a slot on R`, 30_000)
  return { r, client, server, echo }
}

async function agentOn (topo: Topology, name: string, agent: string, daemon: TestDaemon): Promise<AgentProcess> {
  const a = await startAgentProcess({ kind: 'echo', name: agent, prefix: topo.exec(name as never) })
  const res = await daemon.api('POST', '/v1/agents', { name: agent, url: a.url })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return a
}

/** Sequential round trips over whatever path exists, for the matrix. */
async function tasksPerSecond (from: TestDaemon, to: string, n = 20): Promise<number> {
  const t0 = Date.now()
  for (let i = 0; i < n; i++) {
    const r = await sendAs(from.apiSocket, to, `rate ${i}`)
    expect(r.text, JSON.stringify(r.body)).toBe(`echo: rate ${i}`)
  }
  return Math.round(n / ((Date.now() - t0) / 1000))
}

async function stopAll (daemons: TestDaemon[], agents: AgentProcess[]): Promise<void> {
  await Promise.all([...daemons.map(async (d) => d.stop().catch(() => {})), ...agents.map(async (a) => a.stop().catch(() => {}))])
  for (const d of daemons) rmSync(d.home, { recursive: true, force: true })
}

afterAll(() => {
  auth?.remove()
  if (matrix.length > 0) {
    const cols = Object.keys(matrix[0]!)
    console.log(['NAT matrix (measured on this machine):', `| ${cols.join(' | ')} |`, `| ${cols.map(() => '---').join(' | ')} |`,
      ...matrix.map((r) => `| ${cols.map((c) => String(r[c] ?? '')).join(' | ')} |`)].join('\n'))
  }
})

describe.skipIf(skip != null)('NAT traversal on emulated networks', () => {
  it.each([
    ['two NATs (port-preserving)', twoNats],
    ['two NATs, one randomising ports (symmetric)', twoNatsSymmetric]
  ] as const)('%s: two hosts behind NAT reach each other through a public relay', async (label, build) => {
    const topo = build()
    const daemons: TestDaemon[] = []
    const agents: AgentProcess[] = []
    try {
      // H2 holds a reservation on R and advertises its relayed address.
      const { r, client: h1, server: h2 } = await relayedPair(topo, 'H1', 'H2', daemons, agents)
      const t0 = Date.now()
      const r1 = await waitFor(async () => {
        const res = await sendAs(h1.apiSocket, `echo@${h2.peerId}`, 'hello through two NATs')
        return res.text != null ? res : undefined
      }, 'a task from H1 to H2', 45_000)
      const firstTaskMs = Date.now() - t0
      expect(r1.text).toBe('echo: hello through two NATs')
      const peer = (await h1.api('GET', '/v1/peers')).body.peers.find((p: any) => p.peer === h2.peerId)
      expect(peer, JSON.stringify((await h1.api('GET', '/v1/peers')).body)).toMatchObject({ path: 'relayed', relay: r.peerId })
      const nat = (await h2.api('GET', '/v1/status')).body.nat
      expect(nat).toMatchObject({ reachability: 'private', relayed: true })
      const peersCli = await h1.cli(['peers'])
      expect(peersCli.stdout).toContain(`relayed via ${r.peerId}`)
      const rate = await tasksPerSecond(h1, `echo@${h2.peerId}`)
      // Give DCUtR its chance; over TCP from Node it cannot punch through two NATs.
      await new Promise((resolve) => setTimeout(resolve, 5_000))
      const later = (await h1.api('GET', '/v1/peers')).body.peers.find((p: any) => p.peer === h2.peerId)
      matrix.push({
        topology: label,
        delivered: 'yes',
        path: later?.path === 'direct' ? 'direct (upgraded)' : 'relayed; still relayed 5 s later (no hole punch: Node opens outbound TCP from a fresh port, js-libp2p#2620)',
        'first task ms': firstTaskMs,
        'tasks/s (sequential)': rate
      })
    } finally {
      await stopAll(daemons, agents)
      topo.destroy()
    }
  }, 120_000)

  it('one host public, one behind NAT: the connection between them ends direct', async () => {
    const topo = oneNat()
    const daemons: TestDaemon[] = []
    const agents: AgentProcess[] = []
    try {
      const { client: p, server: h1 } = await relayedPair(topo, 'P', 'H1', daemons, agents)
      const t0 = Date.now()
      const res = await waitFor(async () => {
        const x = await sendAs(p.apiSocket, `echo@${h1.peerId}`, 'hello from the public side')
        return x.text != null ? x : undefined
      }, 'a task from P to H1', 45_000)
      const firstTaskMs = Date.now() - t0
      expect(res.text).toBe('echo: hello from the public side')
      const pathAtFirstTask = (await p.api('GET', '/v1/peers')).body.peers.find((x: any) => x.peer === h1.peerId)?.path
      const direct = await waitFor(async () => {
        const peer = (await p.api('GET', '/v1/peers')).body.peers.find((x: any) => x.peer === h1.peerId)
        return peer?.path === 'direct' ? peer : undefined
      }, 'the connection to end direct (DCUtR: H1 dials P back)', 30_000)
      const upgradeMs = Date.now() - t0
      expect(direct.path).toBe('direct')
      const again = await sendAs(p.apiSocket, `echo@${h1.peerId}`, 'over the direct path')
      expect(again.text).toBe('echo: over the direct path')
      const rate = await tasksPerSecond(p, `echo@${h1.peerId}`)
      matrix.push({
        topology: 'one public, one behind NAT',
        delivered: 'yes',
        path: pathAtFirstTask === 'relayed'
          ? `direct (relayed first; upgraded after ${upgradeMs} ms: the NATed side dialled back, DCUtR's unilateral case)`
          : 'direct from the first task (the NATed host had already dialled the public one itself)',
        'first task ms': firstTaskMs,
        'tasks/s (sequential)': rate
      })
    } finally {
      await stopAll(daemons, agents)
      topo.destroy()
    }
  }, 120_000)

  it('an air-gapped LAN: hosts find each other by mDNS alone, exchange a task, and the DHT works among them', async () => {
    const topo = airGapped()
    const daemons: TestDaemon[] = []
    const agents: AgentProcess[] = []
    try {
      const a = await host(topo, 'A', ['client:orchestrator'], [])
      const b = await host(topo, 'B', ['echo:orchestrator'], [])
      const c = await host(topo, 'C', ['other:orchestrator'], [])
      daemons.push(a, b, c)
      agents.push(await agentOn(topo, 'B', 'echo', b))
      await waitFor(async () => (await a.api('GET', '/v1/trust')).body.verifiedPeers.length >= 2, 'A to meet B and C by mDNS', 45_000)
      const t0 = Date.now()
      const res = await waitFor(async () => {
        const r = await sendAs(a.apiSocket, 'echo', 'hello on the LAN')
        return r.text != null ? r : undefined
      }, 'a bare-name task from A to echo (DHT lookup)', 45_000)
      expect(res.text).toBe('echo: hello on the LAN')
      const found = await c.api('GET', `/v1/peers/${b.peerId}`)
      expect(found.status, JSON.stringify(found.body)).toBe(200)
      const firstTaskMs = Date.now() - t0
      matrix.push({ topology: 'air-gapped LAN (mDNS, no bootstrap)', delivered: 'yes', path: 'direct', 'first task ms': firstTaskMs, 'tasks/s (sequential)': await tasksPerSecond(a, `echo@${b.peerId}`) })
    } finally {
      await stopAll(daemons, agents)
      topo.destroy()
    }
  }, 120_000)

  it('a partition: tasks sent while a NATed host is cut off are delivered after the link returns, none lost, none twice', async () => {
    const topo = twoNats()
    const daemons: TestDaemon[] = []
    const agents: AgentProcess[] = []
    try {
      const { client: h1, server: h2, echo } = await relayedPair(topo, 'H1', 'H2', daemons, agents)
      await waitFor(async () => (await sendAs(h1.apiSocket, `echo@${h2.peerId}`, 'warm up')).text, 'a first task', 45_000)
      const before = await echo.total()
      topo.cut('H2')
      const outage = Array.from({ length: 10 }, async (_, i) => sendAs(h1.apiSocket, `echo@${h2.peerId}`, `during outage ${i}`))
      await new Promise((resolve) => setTimeout(resolve, 30_000))
      topo.restore('H2')
      const answers = await Promise.all(outage)
      for (const [i, a] of answers.entries()) expect(a.text, JSON.stringify(a.body)).toBe(`echo: during outage ${i}`)
      const counts = await echo.counts()
      expect(await echo.total() - before, 'each outage task reached the agent once').toBe(10)
      expect([...counts.values()].every((n) => n === 1), JSON.stringify([...counts])).toBe(true)
      matrix.push({ topology: 'partition of 30 s (H2 cut off)', delivered: 'yes, all 10, once each', path: 'relayed', 'first task ms': '', 'tasks/s (sequential)': '' })
    } finally {
      await stopAll(daemons, agents)
      topo.destroy()
    }
  }, 180_000)
})
