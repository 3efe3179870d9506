import { execFileSync, spawn } from 'node:child_process'
import { statSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  airGapped, linkDown, linkUp, netnsUnavailable, oneNat, startProbe, sweepStale, twoNats, twoNatsSymmetric,
  type Probe, type Topology
} from '../helpers/netns-topology.js'

const skip = netnsUnavailable()
if (skip != null) console.warn(`skipping emulated-network topology tests: ${skip}`)

// The emulated networks the NAT traversal tests run on, checked with plain
// sockets (a probe process per host), no daemons: who can reach whom, what
// address and port the far side sees, and that destroy() leaves nothing.

/** How long a connection attempt that should be dropped is given. */
const DROP_MS = 1_000
const HELPER = resolve(import.meta.dirname, '../helpers/netns-topology.ts')

function sh (cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Inode numbers of network namespaces, to check later that the kernel really freed them. */
function nsInodes (namespaces: string[]): string[] {
  return namespaces.map((ns) => String(statSync(`/run/netns/${ns}`).ino))
}

/** What is left of a topology after destroy(): names, root-namespace links, live namespaces. */
function leftovers (id: string, namespaces: string[], inodes: string[]): string[] {
  const found: string[] = []
  for (const line of sh('ip', ['netns', 'list']).split('\n')) {
    if (line.startsWith(id)) found.push(`netns ${line}`)
  }
  for (const ns of namespaces) {
    try {
      sh('ip', ['netns', 'pids', ns])
      found.push(`ip netns pids ${ns} still works`)
    } catch {}
  }
  // A veth whose peer sits in one of our namespaces shows `link-netns <ns>`.
  for (const line of sh('ip', ['-o', 'link', 'show']).split('\n')) {
    if (line.includes(id) || /^\d+: (p-|br0|wan0|lan0)/.test(line)) found.push(`root link ${line}`)
  }
  // Every network namespace some process still holds (lsns scans /proc).
  const live = new Set(sh('lsns', ['-t', 'net', '-n', '-o', 'NS']).split('\n').map((s) => s.trim()))
  for (const [i, inode] of inodes.entries()) {
    if (live.has(inode)) found.push(`namespace ${namespaces[i] ?? '?'} (inode ${inode}) still alive`)
  }
  return found
}

/** What the test must leave as it found it in the root namespace. */
function rootState (): { links: string[], routes: string, iptables: string } {
  return {
    links: sh('ip', ['-o', 'link', 'show']).split('\n').map((l) => l.split(':')[1]?.trim() ?? '').filter((n) => n !== '').sort(),
    routes: sh('ip', ['route', 'show', 'table', 'all']),
    iptables: sh('iptables-save', []).split('\n').filter((l) => !l.startsWith('#')).join('\n')
  }
}

function routes (ns: string): string {
  return sh('ip', ['-n', ns, 'route', 'show'])
}

async function waitUntil (check: () => Promise<boolean>, what: string, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe.skipIf(skip != null)('emulated networks for NAT traversal tests', () => {
  const topologies: Array<Topology<any, any>> = []
  const probes: Probe[] = []
  let root: ReturnType<typeof rootState> | undefined

  beforeAll(() => { root = rootState() })
  afterAll(() => {
    for (const p of probes) p.close()
    for (const t of topologies) t.destroy()
  })

  async function probe (ns: string): Promise<Probe> {
    const p = await startProbe(ns)
    probes.push(p)
    return p
  }

  /**
   * Destroys `t` and asserts the kernel holds nothing of it any more. A process
   * killed in a namespace may take a moment under load to leave it, so the check
   * allows 5 s; what is still there then is named, with who holds it.
   */
  async function destroyAndCheck (t: Topology<any, any>, inodes: string[]): Promise<void> {
    expect(leftovers(t.id, t.namespaces, inodes).length).toBeGreaterThan(t.namespaces.length) // the check sees them while they exist
    t.destroy()
    t.destroy() // idempotent
    const deadline = Date.now() + 5_000
    let left = leftovers(t.id, t.namespaces, inodes)
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      left = leftovers(t.id, t.namespaces, inodes)
    }
    const holders = left.length === 0 ? [] : sh('lsns', ['-t', 'net', '-n', '-o', 'NS,PID,PPID,COMMAND']).split('\n').filter((l) => inodes.includes(l.trim().split(/\s+/)[0] ?? ''))
    expect([...left, ...holders.map((h) => `held by: ${h.trim()}`)]).toEqual([])
  }

  describe('twoNats: R public, H1 behind NAT1, H2 behind NAT2 (port-preserving)', () => {
    let t: ReturnType<typeof twoNats>
    let inodes: string[]
    let R: Probe, H1: Probe, H2: Probe
    beforeAll(async () => {
      t = twoNats()
      topologies.push(t)
      inodes = nsInodes(t.namespaces)
      ;[R, H1, H2] = await Promise.all([probe(t.hosts.R.ns), probe(t.hosts.H1.ns), probe(t.hosts.H2.ns)])
      for (const port of [7000, 7001]) await R.tcpListen(port)
      for (const port of [7000, 7002, 7003]) await R.udpBind(port)
      await H1.tcpListen(7000)
      await H2.tcpListen(7000)
    })

    it('has the documented addresses', () => {
      expect(t.hosts.R).toMatchObject({ addr: '198.51.100.10', publicAddr: '198.51.100.10' })
      expect(t.hosts.H1).toMatchObject({ addr: '10.1.0.2', publicAddr: '198.51.100.20', router: 'NAT1' })
      expect(t.hosts.H2).toMatchObject({ addr: '10.2.0.2', publicAddr: '198.51.100.30', router: 'NAT2' })
      expect(t.routers.NAT1).toMatchObject({ publicAddr: '198.51.100.20', lanAddr: '10.1.0.1', lanSubnet: '10.1.0.0/24', symmetric: false })
      expect(t.routers.NAT2).toMatchObject({ publicAddr: '198.51.100.30', lanAddr: '10.2.0.1', lanSubnet: '10.2.0.0/24', symmetric: false })
      expect(t.exec('H1')).toEqual(['ip', 'netns', 'exec', t.hosts.H1.ns])
      expect(new Set(t.namespaces).size).toBe(6)
      // Only the segment's own routes: nothing points out of the sandbox.
      expect(routes(t.hosts.R.ns)).not.toContain('default')
      expect(routes(t.routers.NAT1.ns)).not.toContain('default')
      expect(routes(t.hosts.H1.ns)).toContain('default via 10.1.0.1 dev eth0')
    })

    it('H1 and H2 reach R; R sees each router\'s public address and the host\'s own source port', async () => {
      for (const [h, name] of [[H1, 'H1'], [H2, 'H2']] as const) {
        const c = await h.tcpConnect(t.hosts.R.addr, 7000)
        if (!c.ok) throw new Error(`${name} → R: ${c.error}`)
        expect(c.observed).toEqual({ address: t.hosts[name].publicAddr, port: c.localPort })
      }
      // One local port to two destinations: the same public port both times.
      for (const port of [7000, 7001]) {
        const c = await H1.tcpConnect(t.hosts.R.addr, port, { localPort: 41000 })
        expect(c).toEqual({ ok: true, localPort: 41000, observed: { address: '198.51.100.20', port: 41000 } })
      }
    })

    it('UDP through NAT1 keeps the port for every destination, and replies come back', async () => {
      await H1.udpBind(41001)
      expect(await H1.udpWhoami(41001, t.hosts.R.addr, 7000)).toEqual({ address: '198.51.100.20', port: 41001 })
      expect(await H1.udpWhoami(41001, t.hosts.R.addr, 7002)).toEqual({ address: '198.51.100.20', port: 41001 })
    })

    it('drops unsolicited inbound: nothing from outside gets into a home network', async () => {
      const [toH2Private, toNat2, rToNat1, rToH1Private] = await Promise.all([
        H1.tcpConnect(t.hosts.H2.addr, 7000, { timeoutMs: DROP_MS }),
        H1.tcpConnect(t.routers.NAT2.publicAddr, 7000, { timeoutMs: DROP_MS }),
        R.tcpConnect(t.routers.NAT1.publicAddr, 7000, { timeoutMs: DROP_MS }),
        R.tcpConnect(t.hosts.H1.addr, 7000, { timeoutMs: DROP_MS })
      ])
      // No route to another home's private range (NAT1 answers net unreachable).
      expect(toH2Private).toMatchObject({ ok: false })
      // A router's public address: silently dropped (H2 listens on 7000, but there is no port forward).
      expect(toNat2).toEqual({ ok: false, error: 'timeout' })
      expect(rToNat1).toEqual({ ok: false, error: 'timeout' })
      expect(rToH1Private).toEqual({ ok: false, error: 'ENETUNREACH' })
      // Even a public host that routes the private range at the router gets
      // nowhere: FORWARD drops new connections from the public side.
      sh('ip', ['-n', t.hosts.R.ns, 'route', 'add', t.routers.NAT1.lanSubnet, 'via', t.routers.NAT1.publicAddr])
      try {
        expect(await R.tcpConnect(t.hosts.H1.addr, 7000, { timeoutMs: DROP_MS })).toEqual({ ok: false, error: 'timeout' })
      } finally {
        sh('ip', ['-n', t.hosts.R.ns, 'route', 'del', t.routers.NAT1.lanSubnet])
      }
    })

    it('UDP filtering depends on address and port: only the endpoint H1 sent to gets back in', async () => {
      await H1.udpBind(41002)
      expect(await H1.udpWhoami(41002, t.hosts.R.addr, 7000)).toEqual({ address: '198.51.100.20', port: 41002 })
      await R.udpSend(7003, '198.51.100.20', 41002, 'stranger')
      await R.udpSend(7000, '198.51.100.20', 41002, 'again')
      await waitUntil(async () => (await H1.udpLog(41002)).some((d) => d.text === 'again'), "R's second datagram from the mapped port")
      await new Promise((r) => setTimeout(r, 200))
      const texts = (await H1.udpLog(41002)).map((d) => d.text)
      expect(texts).not.toContain('stranger')
    })

    it('cut and restore partition a home network silently, and only that one', async () => {
      expect(t.cut('H1')).toEqual({ ns: t.switchNs, ifname: 'p-NAT1' })
      try {
        const [down, other] = await Promise.all([
          H1.tcpConnect(t.hosts.R.addr, 7000, { timeoutMs: DROP_MS }),
          H2.tcpConnect(t.hosts.R.addr, 7000)
        ])
        expect(down).toEqual({ ok: false, error: 'timeout' })
        expect(other.ok).toBe(true)
      } finally {
        t.restore('H1')
      }
      expect((await H1.tcpConnect(t.hosts.R.addr, 7000)).ok).toBe(true)

      expect(t.cut('H1', 'lan')).toEqual({ ns: t.routers.NAT1.ns, ifname: 'lan0' })
      try {
        expect(await H1.tcpConnect(t.hosts.R.addr, 7000, { timeoutMs: DROP_MS })).toEqual({ ok: false, error: 'timeout' })
      } finally {
        t.restore('H1', 'lan')
      }
      expect((await H1.tcpConnect(t.hosts.R.addr, 7000)).ok).toBe(true)
      expect(() => t.cut('R', 'lan')).toThrow(/not behind a NAT/)
    })

    it('linkDown on a host\'s own interface drops its routes; linkUp brings them back', async () => {
      linkDown(t.hosts.H1.ns, 'eth0')
      try {
        expect(routes(t.hosts.H1.ns)).not.toContain('default')
        expect(await H1.tcpConnect(t.hosts.R.addr, 7000, { timeoutMs: DROP_MS })).toMatchObject({ ok: false })
      } finally {
        linkUp(t.hosts.H1.ns, 'eth0')
      }
      expect(routes(t.hosts.H1.ns)).toContain('default via 10.1.0.1 dev eth0')
      // The same through the topology object, on a router's public interface.
      t.linkDown(t.routers.NAT1.ns, 'wan0')
      try {
        expect(await H1.tcpConnect(t.hosts.R.addr, 7000, { timeoutMs: DROP_MS })).toMatchObject({ ok: false })
      } finally {
        t.linkUp(t.routers.NAT1.ns, 'wan0')
      }
      await waitUntil(async () => (await H1.tcpConnect(t.hosts.R.addr, 7000, { timeoutMs: 500 })).ok, 'R reachable again after linkUp')
    })

    it('cut keeps NAT1\'s mappings; downing NAT1\'s wan0 flushes them', async () => {
      await H1.udpBind(41003)
      expect(await H1.udpWhoami(41003, t.hosts.R.addr, 7000)).toEqual({ address: '198.51.100.20', port: 41003 })
      const arrived = async (text: string): Promise<boolean> => (await H1.udpLog(41003)).some((d) => d.text === text)
      t.cut('H1')
      t.restore('H1')
      await R.udpSend(7000, '198.51.100.20', 41003, 'after-cut')
      await waitUntil(async () => await arrived('after-cut'), 'R\'s datagram through the mapping made before the cut')

      t.linkDown(t.routers.NAT1.ns, 'wan0')
      t.linkUp(t.routers.NAT1.ns, 'wan0')
      await R.udpSend(7000, '198.51.100.20', 41003, 'after-flush')
      expect(await H1.udpWhoami(41003, t.hosts.R.addr, 7000)).toEqual({ address: '198.51.100.20', port: 41003 })
      await R.udpSend(7000, '198.51.100.20', 41003, 'after-new-mapping')
      await waitUntil(async () => await arrived('after-new-mapping'), 'R\'s datagram through the new mapping')
      expect(await arrived('after-flush')).toBe(false)
    })

    it('destroy leaves no namespace, bridge or veth behind', async () => {
      await destroyAndCheck(t, inodes)
    })
  })

  describe('twoNatsSymmetric: NAT2 randomises source ports', () => {
    let t: ReturnType<typeof twoNatsSymmetric>
    let inodes: string[]
    let R: Probe, H1: Probe, H2: Probe
    beforeAll(async () => {
      t = twoNatsSymmetric()
      topologies.push(t)
      inodes = nsInodes(t.namespaces)
      ;[R, H1, H2] = await Promise.all([probe(t.hosts.R.ns), probe(t.hosts.H1.ns), probe(t.hosts.H2.ns)])
      for (const port of [7000, 7001]) await R.tcpListen(port)
      for (const port of [7000, 7002]) await R.udpBind(port)
    })

    it('NAT2 gives each connection a fresh random public port; NAT1 still keeps the host\'s', async () => {
      expect(t.routers.NAT2.symmetric).toBe(true)
      expect(t.routers.NAT1.symmetric).toBe(false)
      const seen: number[] = []
      for (const port of [7000, 7001]) {
        const c = await H2.tcpConnect(t.hosts.R.addr, port, { localPort: 41000 })
        if (!c.ok) throw new Error(`H2 → R:${port}: ${c.error}`)
        expect(c.observed.address).toBe('198.51.100.30')
        seen.push(c.observed.port)
      }
      expect(seen[0]).not.toBe(seen[1])
      expect(seen).not.toContain(41000)
      // Without a fixed local port too: the public port never matches the local one.
      for (let i = 0; i < 4; i++) {
        const c = await H2.tcpConnect(t.hosts.R.addr, 7000)
        if (!c.ok) throw new Error(`H2 → R: ${c.error}`)
        expect(c.observed.port).not.toBe(c.localPort)
      }
      for (const port of [7000, 7001]) {
        expect(await H1.tcpConnect(t.hosts.R.addr, port, { localPort: 41000 })).toMatchObject({ ok: true, observed: { address: '198.51.100.20', port: 41000 } })
      }
    })

    it('UDP through NAT2: one socket, two destinations, two different public ports', async () => {
      await H2.udpBind(41001)
      const a = await H2.udpWhoami(41001, t.hosts.R.addr, 7000)
      const b = await H2.udpWhoami(41001, t.hosts.R.addr, 7002)
      expect(a?.address).toBe('198.51.100.30')
      expect(b?.address).toBe('198.51.100.30')
      expect(a?.port).not.toBe(b?.port)
      expect([a?.port, b?.port]).not.toContain(41001)
    })

    it('still drops unsolicited inbound', async () => {
      await H2.tcpListen(7000)
      expect(await R.tcpConnect(t.routers.NAT2.publicAddr, 7000, { timeoutMs: DROP_MS })).toEqual({ ok: false, error: 'timeout' })
    })

    it('destroy leaves no namespace, bridge or veth behind', async () => {
      await destroyAndCheck(t, inodes)
    })
  })

  describe('oneNat: R and P public, H1 behind NAT1', () => {
    let t: ReturnType<typeof oneNat>
    let inodes: string[]
    let R: Probe, P: Probe, H1: Probe
    beforeAll(async () => {
      t = oneNat()
      topologies.push(t)
      inodes = nsInodes(t.namespaces)
      ;[R, P, H1] = await Promise.all([probe(t.hosts.R.ns), probe(t.hosts.P.ns), probe(t.hosts.H1.ns)])
      await R.tcpListen(7000)
      await P.tcpListen(7000)
      await H1.tcpListen(7000)
    })

    it('the public host is seen as itself; the NATed one through NAT1; inbound to H1 is dropped', async () => {
      expect(t.hosts.P).toMatchObject({ addr: '198.51.100.40', publicAddr: '198.51.100.40' })
      expect(t.hosts.P.router).toBeUndefined()
      const pr = await P.tcpConnect(t.hosts.R.addr, 7000)
      if (!pr.ok) throw new Error(`P → R: ${pr.error}`)
      expect(pr.observed).toEqual({ address: '198.51.100.40', port: pr.localPort })
      const hp = await H1.tcpConnect(t.hosts.P.addr, 7000)
      if (!hp.ok) throw new Error(`H1 → P: ${hp.error}`)
      expect(hp.observed).toEqual({ address: '198.51.100.20', port: hp.localPort })
      const rp = await R.tcpConnect(t.hosts.P.addr, 7000)
      expect(rp).toMatchObject({ ok: true, observed: { address: '198.51.100.10' } })
      const [toPrivate, toRouter] = await Promise.all([
        P.tcpConnect(t.hosts.H1.addr, 7000, { timeoutMs: DROP_MS }),
        P.tcpConnect(t.routers.NAT1.publicAddr, 7000, { timeoutMs: DROP_MS })
      ])
      expect(toPrivate).toEqual({ ok: false, error: 'ENETUNREACH' })
      expect(toRouter).toEqual({ ok: false, error: 'timeout' })
    })

    it('cut takes the public host off the segment and restore brings it back', async () => {
      expect(t.cut('P')).toEqual({ ns: t.switchNs, ifname: 'p-P' })
      try {
        expect(await R.tcpConnect(t.hosts.P.addr, 7000, { timeoutMs: DROP_MS })).toMatchObject({ ok: false })
      } finally {
        t.restore('P')
      }
      expect((await R.tcpConnect(t.hosts.P.addr, 7000)).ok).toBe(true)
    })

    it('destroy leaves no namespace, bridge or veth behind', async () => {
      await destroyAndCheck(t, inodes)
    })
  })

  describe('airGapped: A, B, C on one switch and nothing else', () => {
    let t: ReturnType<typeof airGapped>
    let inodes: string[]
    const p: Record<'A' | 'B' | 'C', Probe> = {} as any
    beforeAll(async () => {
      t = airGapped()
      topologies.push(t)
      inodes = nsInodes(t.namespaces)
      for (const name of ['A', 'B', 'C'] as const) {
        p[name] = await probe(t.hosts[name].ns)
        await p[name].tcpListen(7000)
      }
    })

    it('every host reaches every other directly', async () => {
      expect(Object.keys(t.routers)).toEqual([])
      for (const from of ['A', 'B', 'C'] as const) {
        for (const to of ['A', 'B', 'C'] as const) {
          if (from === to) continue
          const c = await p[from].tcpConnect(t.hosts[to].addr, 7000)
          if (!c.ok) throw new Error(`${from} → ${to}: ${c.error}`)
          expect(c.observed).toEqual({ address: t.hosts[from].addr, port: c.localPort })
        }
      }
      expect(t.hosts.A.publicAddr).toBeUndefined()
    })

    it('reaches nothing else: no default route, no public segment, not the machine it runs on', async () => {
      for (const name of ['A', 'B', 'C'] as const) {
        const r = routes(t.hosts[name].ns)
        expect(r).not.toContain('default')
        expect(r.trim().split('\n').map((l) => l.trim()).sort()).toEqual([
          `10.9.0.0/24 dev eth0 proto kernel scope link src ${t.hosts[name].addr}`,
          '224.0.0.0/4 dev eth0 scope link'
        ].sort())
      }
      const hostAddrs = Object.values(networkInterfaces()).flat()
        .filter((a) => a != null && a.family === 'IPv4' && !a.internal).map((a) => a?.address as string)
      const targets = ['198.51.100.10', '203.0.113.1', '8.8.8.8', ...hostAddrs]
      const results = await Promise.all(targets.map(async (addr) => await p.A.tcpConnect(addr, 22, { timeoutMs: DROP_MS })))
      for (const [i, r] of results.entries()) expect(r, targets[i]).toEqual({ ok: false, error: 'ENETUNREACH' })
    })

    it('cut isolates one host; restore rejoins it', async () => {
      expect(t.cut('A')).toEqual({ ns: t.switchNs, ifname: 'p-A' })
      try {
        expect(await p.B.tcpConnect(t.hosts.A.addr, 7000, { timeoutMs: DROP_MS })).toMatchObject({ ok: false })
        expect((await p.B.tcpConnect(t.hosts.C.addr, 7000)).ok).toBe(true)
      } finally {
        t.restore('A')
      }
      await waitUntil(async () => (await p.B.tcpConnect(t.hosts.A.addr, 7000, { timeoutMs: 500 })).ok, 'A reachable again')
    })

    it('destroy leaves no namespace, bridge or veth behind', async () => {
      await destroyAndCheck(t, inodes)
    })
  })

  describe('cleanup when the test process dies without destroy()', () => {
    /** Runs a child that builds twoNats with a probe inside, then does `mode`. */
    async function orphan (mode: 'exit' | 'wait'): Promise<{ child: ReturnType<typeof spawn>, id: string, namespaces: string[], inodes: string[] }> {
      const code = `
        const m = await import(${JSON.stringify(pathToFileURL(HELPER).href)})
        const t = m.twoNats()
        await m.startProbe(t.hosts.R.ns)
        const { statSync } = await import('node:fs')
        console.log(JSON.stringify({ id: t.id, namespaces: t.namespaces, inodes: t.namespaces.map((ns) => String(statSync('/run/netns/' + ns).ino)) }))
        if (${JSON.stringify(mode)} === 'exit') process.exit(0)
        setInterval(() => {}, 1000)`
      const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      let err = ''
      child.stderr?.on('data', (d: Buffer) => { err += d.toString() })
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString()
          const nl = out.indexOf('\n')
          if (nl >= 0) resolve(out.slice(0, nl))
        })
        child.on('exit', () => { if (!out.includes('\n')) reject(new Error(`child died: ${err}`)) })
      })
      return { child, ...JSON.parse(line) as { id: string, namespaces: string[], inodes: string[] } }
    }
    const exited = async (child: ReturnType<typeof spawn>): Promise<{ code: number | null, signal: string | null }> =>
      child.exitCode != null || child.signalCode != null
        ? { code: child.exitCode, signal: child.signalCode }
        : await new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))

    // The exit handler removes the namespaces and links at once and SIGKILLs the probes inside them;
    // a namespace lives on until its last process has finished dying, which the kernel does
    // asynchronously (seen once in CI: one namespace still held right after the parent's exit).
    const leftoversAfter = async (o: { id: string, namespaces: string[], inodes: string[] }, ms: number): Promise<string[]> => {
      const deadline = Date.now() + ms
      for (;;) {
        const found = leftovers(o.id, o.namespaces, o.inodes)
        if (found.length === 0 || Date.now() > deadline) return found
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }

    it('process.exit without destroy() removes everything', async () => {
      const o = await orphan('exit')
      expect(await exited(o.child)).toEqual({ code: 0, signal: null })
      expect(await leftoversAfter(o, 2_000)).toEqual([])
    })

    it('SIGTERM removes everything and the process still dies by SIGTERM', async () => {
      const o = await orphan('wait')
      expect(o.inodes).toHaveLength(6)
      o.child.kill('SIGTERM')
      expect(await exited(o.child)).toEqual({ code: null, signal: 'SIGTERM' })
      expect(await leftoversAfter(o, 2_000)).toEqual([])
    })

    it('after SIGKILL, sweepStale() removes what the dead process left', async () => {
      const o = await orphan('wait')
      o.child.kill('SIGKILL')
      await exited(o.child)
      expect(sh('ip', ['netns', 'list'])).toContain(o.id)
      const swept = sweepStale().filter((ns) => ns.startsWith(o.id))
      expect(swept.sort()).toEqual([...o.namespaces].sort())
      await waitUntil(async () => leftovers(o.id, o.namespaces, o.inodes).length === 0, 'the orphaned probe to die', 2_000)
    })
  })

  it('left the root namespace\'s links, routes and iptables rules as they were', () => {
    expect(rootState()).toEqual(root)
  })
})
