import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanup, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js'

// Three real daemons on loopback, mDNS off: B and C know only A. C must learn
// B's addresses from the DHT and reach it.
describe('a three-daemon mesh over the DHT', () => {
  let a: TestDaemon, b: TestDaemon, c: TestDaemon

  beforeAll(async () => {
    a = await startDaemon()
    const boot = a.addresses[0] as string
    ;[b, c] = await Promise.all([
      startDaemon({ args: ['--bootstrap', boot] }),
      startDaemon({ args: ['--bootstrap', boot] })
    ])
  })
  afterAll(async () => { await cleanup([a, b, c]) })

  it('joins B and C to A through their bootstrap address', async () => {
    await waitFor(async () => (await a.api('GET', '/v1/status')).body.dht.routingTableSize >= 2, 'A to have B and C in its routing table')
    const peers = (await a.api('GET', '/v1/peers')).body.peers.map((p: { peer: string }) => p.peer)
    expect(peers).toEqual(expect.arrayContaining([b.peerId, c.peerId]))
  })

  it('finds B from C in the DHT, with B\'s listen address', async () => {
    const r = await c.cli(['find', b.peerId, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const found = JSON.parse(r.stdout)
    const port = (b.addresses[0] as string).split('/')[4]
    expect(found.peer).toBe(b.peerId)
    expect(found.addresses.some((addr: string) => addr.includes(`/tcp/${port}`))).toBe(true)
  })

  it('pings B from C', async () => {
    const r = await c.cli(['ping', b.peerId, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const { rttMs } = JSON.parse(r.stdout)
    expect(rttMs[0]).toBeGreaterThanOrEqual(0)
    expect(rttMs[0]).toBeLessThan(5_000)
  })

  it('reports a peer that is not in the mesh as not found', async () => {
    const stranger = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
    const r = await c.cli(['find', stranger])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/not found.*PEER_NOT_FOUND/)
  })
})
