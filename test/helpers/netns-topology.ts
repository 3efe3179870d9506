import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

// Emulated networks for NAT traversal tests: network namespaces joined by veth
// pairs, a Linux bridge standing in for the public internet, and NAT routers
// (iptables MASQUERADE) in their own namespaces.
//
// Nothing here touches the root namespace: every veth pair is created with
// both ends already inside namespaces (`ip -n A link add … peer … netns B`),
// iptables and sysctls run inside router namespaces only, and no namespace has
// a route out of the sandbox (there is no link to the root namespace at all).
// The emulated public side uses documentation ranges (198.51.100.0/24 by
// default), private sides 10.x.
//
// Namespace names are `amt-<pid>-<random>-<role>`, unique per topology, so
// test files running in parallel never collide; the pid lets a later run sweep
// namespaces left by a process that was SIGKILLed (see sweepStale).

const PREFIX = 'amt-'

/**
 * Why these tests cannot run here, or undefined when they can. They need root
 * (network namespaces), iproute2's `ip` and `iptables` (NAT routers). CI runs
 * as root and .ci/run installs both.
 */
export function netnsUnavailable (): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces (CI runs as root)'
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' })
  } catch {
    return 'needs iproute2 (`ip`); .ci/run installs it'
  }
  try {
    execFileSync('iptables', ['-V'], { stdio: 'ignore' })
  } catch {
    return 'needs iptables for the NAT routers; .ci/run installs it'
  }
  return undefined
}

function run (cmd: string, args: string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] })
  } catch (err: any) {
    const stderr = String(err?.stderr ?? '').trim()
    throw new Error(`${cmd} ${args.join(' ')} failed: ${stderr !== '' ? stderr : String(err?.message ?? err)}`)
  }
}

function ip (...args: string[]): string {
  return run('ip', args)
}

function nsExec (ns: string, cmd: string, args: string[], input?: string): string {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], input)
}

function sleepSync (ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

function namedNamespaces (): string[] {
  return ip('netns', 'list').split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n !== '')
}

/** Pids of processes running inside namespace `ns` (empty if it is gone). */
function nsPids (ns: string): number[] {
  try {
    return ip('netns', 'pids', ns).split('\n').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0)
  } catch {
    return []
  }
}

/**
 * Deletes a namespace this helper made. Processes still running inside it
 * (probes, daemons a test forgot) are SIGKILLed first: otherwise the namespace,
 * and every interface in it, would outlive its name.
 */
function deleteNamespace (ns: string): void {
  const pids = nsPids(ns)
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL') } catch {}
  }
  const deadline = Date.now() + 5_000 // a busy machine (a CI run) can take more than a moment
  while (pids.some((pid) => alive(pid)) && Date.now() < deadline) sleepSync(20)
  try { ip('netns', 'del', ns) } catch {}
}

/** Whether `pid` runs; a zombie (killed, not yet reaped by its parent) counts as gone. */
function alive (pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/**
 * Deletes namespaces this helper left behind in processes that died without
 * cleaning up (SIGKILL): those whose creator pid is no longer running. Runs
 * once per process on the first build; exported for tests.
 */
export function sweepStale (): string[] {
  const swept: string[] = []
  for (const ns of namedNamespaces()) {
    const m = /^amt-(\d+)-/.exec(ns)
    if (m == null) continue
    const pid = Number(m[1])
    if (pid === process.pid || alive(pid)) continue
    deleteNamespace(ns)
    swept.push(ns)
  }
  return swept
}

// Every live topology, so that process exit and SIGINT/SIGTERM/SIGHUP still
// tear them down when a test forgets or crashes.
const live = new Map<string, () => void>()
let hooksInstalled = false

function destroyAll (): void {
  for (const destroy of [...live.values()]) {
    try { destroy() } catch {}
  }
}

function installHooks (): void {
  if (hooksInstalled) return
  hooksInstalled = true
  sweepStale()
  process.on('exit', destroyAll)
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      destroyAll()
      // Alone on this signal: restore the default action (die by the signal).
      // Otherwise whoever else listens decides, and 'exit' runs destroyAll again
      // (a no-op by then).
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal)
        process.kill(process.pid, sig)
      }
    }
    process.on(sig, onSignal)
  }
}

// Routes to put back when a downed interface comes back up: the kernel drops
// every route through an interface that is set down, keyed `${ns}/${ifname}`.
const linkRoutes = new Map<string, string[][]>()

/**
 * Sets interface `ifname` inside namespace `ns` administratively down. Routes
 * through it vanish (the kernel removes them; sends fail at once with
 * ENETUNREACH rather than being lost); linkUp puts them back. Downing a NAT
 * router's wan0 also makes the kernel flush every MASQUERADE mapping made
 * through it (like a home router that reconnects). To cut a host off silently
 * and keep the mappings, use Topology.cut.
 */
export function linkDown (ns: string, ifname: string): void {
  ip('-n', ns, 'link', 'set', ifname, 'down')
}

/** Sets `ifname` in `ns` up again and restores the static routes the topology put through it. */
export function linkUp (ns: string, ifname: string): void {
  ip('-n', ns, 'link', 'set', ifname, 'up')
  for (const route of linkRoutes.get(`${ns}/${ifname}`) ?? []) ip('-n', ns, 'route', 'replace', ...route)
}

/** One host to run programs in. */
export interface TopoHost {
  /** Role name: 'R', 'H1', 'H2', 'P', 'A', 'B', 'C'. */
  name: string
  /** Its network namespace. */
  ns: string
  /** Its own IPv4 address (private for a NATed host). */
  addr: string
  /** Its interface name inside `ns` (always 'eth0'). */
  ifname: string
  /** The address others on the public segment see its traffic come from: its router's public address when NATed, its own when public, undefined when air-gapped. */
  publicAddr?: string
  /** Name of the NAT router it sits behind, if any. */
  router?: string
  /** Command prefix that runs a program inside this host: `['ip', 'netns', 'exec', ns]`. */
  exec: string[]
}

/** One NAT router. */
export interface TopoRouter {
  name: string
  ns: string
  /** Address on the public segment (what MASQUERADE rewrites to). */
  publicAddr: string
  /** Public-side interface in `ns` ('wan0'). */
  publicIf: string
  /** LAN-side address (the hosts' default gateway). */
  lanAddr: string
  /** LAN-side interface in `ns` ('lan0'). */
  lanIf: string
  /** The LAN, e.g. '10.1.0.0/24'. */
  lanSubnet: string
  /** MASQUERADE --random-fully: a fresh random source port per connection. */
  symmetric: boolean
  exec: string[]
}

/** Where cut() takes a link down: see Topology.cut. */
export type CutSide = 'wan' | 'lan'

export interface Topology<H extends string = string, R extends string = string> {
  kind: 'twoNats' | 'twoNatsSymmetric' | 'oneNat' | 'airGapped'
  /** Unique id in every namespace name of this topology (`amt-<pid>-<rand>`). */
  id: string
  hosts: Record<H, TopoHost>
  routers: Record<R, TopoRouter>
  /** Every namespace made, including the bridge ('internet' / switch) and router namespaces. */
  namespaces: string[]
  /** Namespace holding the bridge ('br0') that forms the public segment or the air-gapped LAN. */
  switchNs: string
  /** Command prefix that runs a program inside host `name`. */
  exec(name: H): string[]
  /** See the module-level linkDown / linkUp. */
  linkDown(ns: string, ifname: string): void
  linkUp(ns: string, ifname: string): void
  /**
   * Partitions host `name` from everything beyond its own link, silently (packets
   * are dropped, no error comes back, like a pulled cable), and returns the link
   * it took down. Side 'wan' (default): the switch port of the host (public or
   * air-gapped host) or of its NAT router (NATed host, so the whole home network
   * is offline; the router's own wan0 stays up, so its routes and NAT mappings
   * survive). Side 'lan' (NATed hosts only): the router's LAN interface, so the
   * host's own eth0 loses carrier.
   */
  cut(name: H, side?: CutSide): { ns: string, ifname: string }
  /** Undoes cut(name, side). */
  restore(name: H, side?: CutSide): void
  /** Deletes every namespace (and so every veth and the bridge); idempotent. Kills processes still inside them. */
  destroy(): void
}

export interface TopologyOptions {
  /**
   * First three octets of the emulated public /24. Default '198.51.100'
   * (TEST-NET-2). Note that libp2p's isPrivate() counts every documentation
   * range as private; pass another prefix to make libp2p see these hosts as
   * public (the segment stays sealed inside the namespaces whichever prefix).
   */
  publicPrefix?: string
}

interface HostSpec { name: string, lastOctet: number, router?: string }
interface RouterSpec { name: string, lastOctet: number, lan: number, symmetric: boolean }

/** Sets the namespace's sysctls; IPv6 off so hosts carry only the IPv4 addresses the topology gives them. */
function sysctl (ns: string, ...kv: string[]): void {
  for (const s of kv) {
    try { nsExec(ns, 'sysctl', ['-qw', s]) } catch (err) {
      if (!s.startsWith('net.ipv6')) throw err
    }
  }
}

function build<H extends string, R extends string> (
  kind: Topology['kind'],
  spec: { hosts: HostSpec[], routers: RouterSpec[], switchSubnet: string, airGapped: boolean }
): Topology<H, R> {
  installHooks()
  const id = `${PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`
  const namespaces: string[] = []
  const keys: string[] = []
  let destroyed = false
  const destroy = (): void => {
    if (destroyed) return
    destroyed = true
    live.delete(id)
    for (const ns of [...namespaces].reverse()) deleteNamespace(ns)
    for (const k of keys) linkRoutes.delete(k)
  }
  live.set(id, destroy)

  const addNs = (role: string): string => {
    const ns = `${id}-${role}`
    ip('netns', 'add', ns)
    namespaces.push(ns)
    ip('-n', ns, 'link', 'set', 'lo', 'up')
    sysctl(ns, 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1')
    return ns
  }
  const route = (ns: string, ifname: string, ...r: string[]): void => {
    ip('-n', ns, 'route', 'replace', ...r)
    const key = `${ns}/${ifname}`
    if (!keys.includes(key)) keys.push(key)
    linkRoutes.set(key, [...(linkRoutes.get(key) ?? []), r])
  }
  const exec = (ns: string): string[] => ['ip', 'netns', 'exec', ns]

  const hosts = {} as Record<string, TopoHost>
  const routers = {} as Record<string, TopoRouter>
  let switchNs = ''
  try {
    // The segment: a bridge in its own namespace. Multicast snooping off so
    // multicast (mDNS) floods like on a dumb switch.
    switchNs = addNs(spec.airGapped ? 'lan' : 'internet')
    ip('-n', switchNs, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0')
    ip('-n', switchNs, 'link', 'set', 'br0', 'up')
    const plug = (ns: string, ifname: string, role: string, cidr: string): void => {
      const port = `p-${role}`.slice(0, 15)
      ip('-n', switchNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', ifname, 'netns', ns)
      ip('-n', switchNs, 'link', 'set', port, 'master', 'br0', 'up')
      ip('-n', ns, 'addr', 'add', cidr, 'dev', ifname)
      ip('-n', ns, 'link', 'set', ifname, 'up', 'multicast', 'on')
    }

    for (const r of spec.routers) {
      const ns = addNs(r.name)
      const publicAddr = `${spec.switchSubnet}.${r.lastOctet}`
      const lanSubnet = `10.${r.lan}.0.0/24`
      const lanAddr = `10.${r.lan}.0.1`
      plug(ns, 'wan0', r.name, `${publicAddr}/24`)
      sysctl(ns, 'net.ipv4.ip_forward=1')
      // A home NAT: masquerade out of wan0 (Linux keeps the source port when it
      // is free; --random-fully picks a random one per connection, a symmetric
      // NAT). Nothing enters from wan0 unless it belongs to a connection from
      // inside: unsolicited packets to the router itself or to the LAN are
      // dropped silently (no RST, no ICMP), like a stealth home router.
      const rules = [
        '*nat',
        ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
        `-A POSTROUTING -o wan0 -j MASQUERADE${r.symmetric ? ' --random-fully' : ''}`,
        'COMMIT',
        '*filter',
        ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
        '-A INPUT -i wan0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
        '-A INPUT -i wan0 -j DROP',
        '-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
        '-A FORWARD -i wan0 -o lan0 -j DROP',
        'COMMIT',
        ''
      ].join('\n')
      nsExec(ns, 'iptables-restore', [], rules)
      routers[r.name] = { name: r.name, ns, publicAddr, publicIf: 'wan0', lanAddr, lanIf: 'lan0', lanSubnet, symmetric: r.symmetric, exec: exec(ns) }
    }

    for (const h of spec.hosts) {
      const ns = addNs(h.name)
      const router = h.router != null ? routers[h.router] : undefined
      if (router == null) {
        const addr = `${spec.switchSubnet}.${h.lastOctet}`
        plug(ns, 'eth0', h.name, `${addr}/24`)
        // On-link only; an air-gapped host gets a multicast route for mDNS.
        if (spec.airGapped) route(ns, 'eth0', '224.0.0.0/4', 'dev', 'eth0')
        hosts[h.name] = { name: h.name, ns, addr, ifname: 'eth0', ...(spec.airGapped ? {} : { publicAddr: addr }), exec: exec(ns) }
      } else {
        const base = router.lanSubnet.replace(/\.0\/24$/, '')
        const addr = `${base}.${h.lastOctet}`
        ip('-n', router.ns, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
        ip('-n', router.ns, 'addr', 'add', `${router.lanAddr}/24`, 'dev', 'lan0')
        ip('-n', router.ns, 'link', 'set', 'lan0', 'up')
        ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0')
        ip('-n', ns, 'link', 'set', 'eth0', 'up', 'multicast', 'on')
        route(ns, 'eth0', 'default', 'via', router.lanAddr, 'dev', 'eth0')
        hosts[h.name] = { name: h.name, ns, addr, ifname: 'eth0', publicAddr: router.publicAddr, router: router.name, exec: exec(ns) }
      }
    }
  } catch (err) {
    destroy()
    throw err
  }

  const linkFor = (name: string, side: CutSide): { ns: string, ifname: string } => {
    const h = hosts[name]
    if (h == null) throw new Error(`no host ${name} in this ${kind} topology`)
    const router = h.router != null ? routers[h.router] : undefined
    if (side === 'lan') {
      if (router == null) throw new Error(`${name} is not behind a NAT router: cut it with side 'wan'`)
      return { ns: router.ns, ifname: router.lanIf }
    }
    return { ns: switchNs, ifname: `p-${router?.name ?? name}`.slice(0, 15) }
  }

  return {
    kind,
    id,
    hosts: hosts as Record<H, TopoHost>,
    routers: routers as Record<R, TopoRouter>,
    namespaces: [...namespaces],
    switchNs,
    exec: (name) => {
      const h = hosts[name]
      if (h == null) throw new Error(`no host ${name} in this ${kind} topology`)
      return h.exec
    },
    linkDown,
    linkUp,
    cut: (name, side = 'wan') => {
      const link = linkFor(name, side)
      linkDown(link.ns, link.ifname)
      return link
    },
    restore: (name, side = 'wan') => {
      const link = linkFor(name, side)
      linkUp(link.ns, link.ifname)
    },
    destroy
  }
}

/**
 * The public internet (bridge, `publicPrefix`.0/24) with relay/bootstrap host
 * R (.10) and two home networks: NAT1 (public .20, LAN 10.1.0.0/24) with H1
 * (10.1.0.2) behind it, NAT2 (public .30, LAN 10.2.0.0/24) with H2 (10.2.0.2).
 * Both routers are port-preserving (plain MASQUERADE).
 */
export function twoNats (options: TopologyOptions = {}): Topology<'R' | 'H1' | 'H2', 'NAT1' | 'NAT2'> {
  return build('twoNats', {
    switchSubnet: options.publicPrefix ?? '198.51.100',
    airGapped: false,
    routers: [{ name: 'NAT1', lastOctet: 20, lan: 1, symmetric: false }, { name: 'NAT2', lastOctet: 30, lan: 2, symmetric: false }],
    hosts: [{ name: 'R', lastOctet: 10 }, { name: 'H1', lastOctet: 2, router: 'NAT1' }, { name: 'H2', lastOctet: 2, router: 'NAT2' }]
  })
}

/** As twoNats, but NAT2 picks a random source port per connection (`MASQUERADE --random-fully`): a symmetric NAT. */
export function twoNatsSymmetric (options: TopologyOptions = {}): Topology<'R' | 'H1' | 'H2', 'NAT1' | 'NAT2'> {
  return build('twoNatsSymmetric', {
    switchSubnet: options.publicPrefix ?? '198.51.100',
    airGapped: false,
    routers: [{ name: 'NAT1', lastOctet: 20, lan: 1, symmetric: false }, { name: 'NAT2', lastOctet: 30, lan: 2, symmetric: true }],
    hosts: [{ name: 'R', lastOctet: 10 }, { name: 'H1', lastOctet: 2, router: 'NAT1' }, { name: 'H2', lastOctet: 2, router: 'NAT2' }]
  })
}

/** R (.10) and a public host P (.40) on the public bridge; H1 (10.1.0.2) behind port-preserving NAT1 (public .20). */
export function oneNat (options: TopologyOptions = {}): Topology<'R' | 'P' | 'H1', 'NAT1'> {
  return build('oneNat', {
    switchSubnet: options.publicPrefix ?? '198.51.100',
    airGapped: false,
    routers: [{ name: 'NAT1', lastOctet: 20, lan: 1, symmetric: false }],
    hosts: [{ name: 'R', lastOctet: 10 }, { name: 'P', lastOctet: 40 }, { name: 'H1', lastOctet: 2, router: 'NAT1' }]
  })
}

/** Hosts A, B, C (10.9.0.1–3) on one bridge; no router, no default route, nothing else reachable. Multicast (mDNS) works between them. */
export function airGapped (): Topology<'A' | 'B' | 'C', never> {
  return build('airGapped', {
    switchSubnet: '10.9.0',
    airGapped: true,
    routers: [],
    hosts: [{ name: 'A', lastOctet: 1 }, { name: 'B', lastOctet: 2 }, { name: 'C', lastOctet: 3 }]
  })
}

// ---------------------------------------------------------------------------
// Probe: a small Node process inside a namespace that opens TCP/UDP sockets on
// command and reports which address and port the far side saw. Enough to prove
// what a topology does without running daemons.

/** An address and port as seen by the far side. */
export interface Endpoint { address: string, port: number }

export type TcpResult =
  | { ok: true, localPort: number, observed: Endpoint }
  | { ok: false, error: string }

export interface Datagram extends Endpoint { text: string }

export interface Probe {
  ns: string
  /** Listens on TCP `port` (0: any); every accepted connection is sent one JSON line with the peer's address and port, then closed. Resolves with the port. */
  tcpListen(port?: number): Promise<number>
  /** Connects to a tcpListen server and reads what it saw; `error: 'timeout'` when nothing answered within timeoutMs (default 1500). */
  tcpConnect(host: string, port: number, opts?: { localPort?: number, timeoutMs?: number }): Promise<TcpResult>
  /** Binds a UDP socket on `port` (0: any) that logs every datagram and answers 'whoami' with the sender's address and port. Resolves with the port. */
  udpBind(port?: number): Promise<number>
  /** Sends `text` from the UDP socket bound on `from`. */
  udpSend(from: number, host: string, port: number, text?: string): Promise<void>
  /** Datagrams received so far on the socket bound on `port`. */
  udpLog(port: number): Promise<Datagram[]>
  /** Sends 'whoami' from `from` to a udpBind socket at host:port and resolves with what it saw, or undefined after timeoutMs (default 1500). */
  udpWhoami(from: number, host: string, port: number, timeoutMs?: number): Promise<Endpoint | undefined>
  close(): void
}

const PROBE_SCRIPT = String.raw`
const net = require('node:net')
const dgram = require('node:dgram')
const readline = require('node:readline')
const udp = new Map()
const servers = []
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const ops = {
  async tcpListen ({ port }) {
    const s = net.createServer((c) => {
      c.on('error', () => {})
      c.end(JSON.stringify({ address: c.remoteAddress, port: c.remotePort }) + '\n')
    })
    await new Promise((resolve, reject) => { s.once('error', reject); s.listen(port, '0.0.0.0', resolve) })
    servers.push(s)
    return { port: s.address().port }
  },
  tcpConnect ({ host, port, localPort, timeoutMs }) {
    return new Promise((resolve) => {
      const sock = net.connect({ host, port, ...(localPort ? { localAddress: '0.0.0.0', localPort } : {}) })
      let buf = ''
      let local = 0
      const done = (r) => { clearTimeout(timer); sock.destroy(); resolve(r) }
      const timer = setTimeout(() => done({ ok: false, error: 'timeout' }), timeoutMs)
      sock.on('connect', () => { local = sock.localPort })
      sock.on('data', (d) => {
        buf += d
        const nl = buf.indexOf('\n')
        if (nl >= 0) done({ ok: true, localPort: local, observed: JSON.parse(buf.slice(0, nl)) })
      })
      sock.on('error', (e) => done({ ok: false, error: e.code || e.message }))
      sock.on('close', () => done({ ok: false, error: 'closed before answer' }))
    })
  },
  async udpBind ({ port }) {
    const s = dgram.createSocket('udp4')
    const log = []
    s.on('message', (m, r) => {
      const text = m.toString()
      log.push({ address: r.address, port: r.port, text })
      if (text === 'whoami') s.send(JSON.stringify({ address: r.address, port: r.port }), r.port, r.address)
    })
    await new Promise((resolve, reject) => { s.once('error', reject); s.bind(port, '0.0.0.0', resolve) })
    s.on('error', () => {})
    const p = s.address().port
    udp.set(p, { s, log })
    return { port: p }
  },
  async udpSend ({ from, host, port, text }) {
    const u = udp.get(from)
    if (!u) throw new Error('no UDP socket on ' + from)
    await new Promise((resolve, reject) => u.s.send(text, port, host, (e) => e ? reject(e) : resolve()))
    return {}
  },
  async udpLog ({ port }) {
    const u = udp.get(port)
    if (!u) throw new Error('no UDP socket on ' + port)
    return { log: u.log }
  },
  async udpWhoami ({ from, host, port, timeoutMs }) {
    const u = udp.get(from)
    if (!u) throw new Error('no UDP socket on ' + from)
    const start = u.log.length
    const deadline = Date.now() + timeoutMs
    let next = 0
    while (Date.now() < deadline) {
      if (Date.now() >= next) {
        u.s.send('whoami', port, host, () => {})
        next = Date.now() + 300
      }
      const hit = u.log.slice(start).find((d) => d.address === host && d.port === port && d.text.startsWith('{'))
      if (hit) return { observed: JSON.parse(hit.text) }
      await sleep(10)
    }
    return { observed: null }
  }
}
readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  const { id, op, ...args } = JSON.parse(line)
  try {
    out({ id, ok: true, result: await ops[op](args) })
  } catch (e) {
    out({ id, ok: false, error: String(e && e.message || e) })
  }
})
process.stdin.on('end', () => process.exit(0))
out({ ready: true })
`

/** Starts a probe inside namespace `ns`; it exits when close() is called, when this process exits, or when its namespace's topology is destroyed. */
export async function startProbe (ns: string): Promise<Probe> {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', PROBE_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  const pending = new Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>()
  let nextId = 1
  let ready: () => void = () => {}
  let failed: (e: Error) => void = () => {}
  const readyP = new Promise<void>((resolve, reject) => { ready = resolve; failed = reject })
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: any
    try { msg = JSON.parse(line) } catch { return }
    if (msg.ready === true) { ready(); return }
    const p = pending.get(msg.id)
    if (p == null) return
    pending.delete(msg.id)
    if (msg.ok === true) p.resolve(msg.result)
    else p.reject(new Error(`probe in ${ns}: ${String(msg.error)}`))
  })
  child.on('exit', (code, signal) => {
    const err = new Error(`probe in ${ns} exited (${String(code ?? signal)}): ${stderr.trim()}`)
    failed(err)
    for (const p of pending.values()) p.reject(err)
    pending.clear()
  })
  child.stdin?.on('error', () => {})
  const call = async (op: string, args: Record<string, unknown>): Promise<any> => {
    return await new Promise((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve, reject })
      child.stdin?.write(JSON.stringify({ id, op, ...args }) + '\n')
    })
  }
  await readyP
  return {
    ns,
    tcpListen: async (port = 0) => (await call('tcpListen', { port })).port,
    tcpConnect: async (host, port, opts = {}) => await call('tcpConnect', { host, port, localPort: opts.localPort, timeoutMs: opts.timeoutMs ?? 1_500 }),
    udpBind: async (port = 0) => (await call('udpBind', { port })).port,
    udpSend: async (from, host, port, text = 'hello') => { await call('udpSend', { from, host, port, text }) },
    udpLog: async (port) => (await call('udpLog', { port })).log,
    udpWhoami: async (from, host, port, timeoutMs = 1_500) => (await call('udpWhoami', { from, host, port, timeoutMs })).observed ?? undefined,
    close: () => { child.stdin?.end(); child.kill('SIGKILL') }
  }
}
