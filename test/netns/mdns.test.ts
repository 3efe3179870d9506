import { afterAll, describe, expect, it } from 'vitest'
import { cleanup, startDaemon, waitFor, type TestDaemon } from '../helpers/daemon.js'
import { createNetnsPair, netnsUnavailable, type NetnsPair } from '../helpers/netns.js'
import { certifiedHome, createTestAuthority, type TestAuthority } from '../helpers/trust.js'

const skip = netnsUnavailable()
if (skip != null) console.warn(`skipping mDNS namespace test: ${skip}`)

// Two hosts on an air-gapped link (two network namespaces, one veth pair): no
// bootstrap address, mDNS only. Multicast never leaves the pair. Both hosts
// hold certificates from one authority (an air-gapped site runs a closed mesh
// too: the authority's bundles travel by hand).
describe.skipIf(skip != null)('mDNS discovery on an isolated LAN', () => {
  let net: NetnsPair | undefined
  let auth: TestAuthority | undefined
  const daemons: TestDaemon[] = []
  afterAll(async () => {
    await cleanup(daemons)
    net?.destroy()
    auth?.remove()
  })

  it('two daemons with no bootstrap find and connect to each other', async () => {
    net = createNetnsPair('mdns')
    auth = await createTestAuthority()
    for (const i of [0, 1]) {
      const { home } = await certifiedHome(auth, [`agent${i}:orchestrator`])
      daemons.push(await startDaemon({
        home,
        prefix: net.exec(i),
        bareArgs: true,
        args: ['--listen', '/ip4/0.0.0.0/tcp/0', '--mesh', 'mdns-test'],
        env: { AGENTMESH_LOG_LEVEL: 'info' }
      }))
    }
    const [a, b] = daemons as [TestDaemon, TestDaemon]
    await waitFor(async () => (await a.api('GET', '/v1/peers')).body.peers.some((p: any) => p.peer === b.peerId), 'A to connect to B via mDNS', 30_000)
    await waitFor(async () => (await b.api('GET', '/v1/peers')).body.peers.some((p: any) => p.peer === a.peerId), 'B to see A', 10_000)
    const peer = (await a.api('GET', '/v1/peers')).body.peers.find((p: any) => p.peer === b.peerId)
    expect(peer.addresses.join(' ')).toContain('10.231.0.')
    const ping = await a.cli(['ping', b.peerId, '--json'])
    expect(ping.code, ping.stderr).toBe(0)
    const trust = (await a.api('GET', '/v1/trust')).body
    expect(trust.mode).toBe('closed')
    expect(trust.verifiedPeers.map((p: any) => p.peer)).toContain(b.peerId)
  })

  it('keeps meshes with different names apart on one LAN', async () => {
    if (net == null) throw new Error('previous test did not build the network')
    const other = await startDaemon({ prefix: net.exec(1), bareArgs: true, args: ['--listen', '/ip4/0.0.0.0/tcp/0', '--mesh', 'other-mesh'] })
    daemons.push(other)
    const a = daemons[0] as TestDaemon
    // mDNS queries go out at start and every 10 s; give it two rounds.
    await new Promise((r) => setTimeout(r, 3_000))
    const peers = (await a.api('GET', '/v1/peers')).body.peers.map((p: any) => p.peer)
    expect(peers).not.toContain(other.peerId)
  })
})
