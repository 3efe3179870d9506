/**
 * Platform figures, each beside a baseline measured in the same run:
 * - bulk throughput of one stream between two libp2p nodes (TCP + Noise +
 *   Yamux, the transport config of src/node's createMeshNode): the relay's
 *   message framing (`messageStream`), the same carrying signed frames
 *   (`sealFrame`/`openFrame` on every message), a bare libp2p stream, and
 *   raw TCP on loopback;
 * - Ed25519 sign/verify (crypto.ts, node:crypto with a cached key);
 * - DHT lookups (`findPeer`) in an in-process mesh over `@libp2p/memory`,
 *   nodes built by createMeshNode with the daemon's DHT settings; baseline: a
 *   libp2p ping between connected peers of the same mesh;
 * - a daemon's start-up time and idle RSS, as a new user runs it (two daemons
 *   in a closed mesh, connected, one agent registered); baseline: a bare Node
 *   process.
 *
 * Run with `npm run bench -- platform` or `node dist/test/bench/platform.js
 * [--short] [--json] [--bin PATH/bin/agentmesh.js]` (`--bin` measures another
 * build's daemon, e.g. the last commit's, with this bench).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createTcpServer, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { memory } from '@libp2p/memory'
import { tcp } from '@libp2p/tcp'
import { MemoryDatastore } from 'datastore-core'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { PrivateKey, Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { benchCli, BenchUsageError } from './args.js'
import { benchCrypto, BASELINE_IMPL } from './crypto.js'
import { apiCall } from './a2a.js'

/** Options of {@link benchPlatform}. */
export interface BenchPlatformOptions {
  /** A small version of everything (the test and `--short` run it). Default false. */
  short?: boolean
  /** Bytes carried per stream transfer. Default 64 MiB (short: 8 MiB). */
  streamBytes?: number
  /** Transfers per stream kind; the median is reported. Default 3 (short: 1). */
  streamRounds?: number
  /** Nodes in the DHT mesh. Default 200 (short: 30). */
  dhtNodes?: number
  /** Random findPeer lookups. Default 50 (short: 10). */
  dhtLookups?: number
  /** Daemon pairs started for the footprint figures. Default 3 (short: 1). */
  daemonRuns?: number
  /** How long the daemons idle before their RSS is read (ms). Default 60000 (short: 1000). */
  idleMs?: number
  /** The CLI to start daemons with. Default this repository's bin/agentmesh.js. */
  bin?: string
  /** Sections to run. Default all. */
  only?: Array<'stream' | 'crypto' | 'dht' | 'daemon'>
  /** Progress lines go here (default stderr). */
  progress?: (line: string) => void
}

/** One figure and the baseline it is compared with. */
export interface PlatformFigure {
  section: string
  name: string
  value: number
  unit: string
  /** Spread over repeats, when there were any. */
  min?: number
  max?: number
  baselineName: string
  baseline: number
  /** value / baseline. */
  ratio: number
  /** The target, where the issue sets one (e.g. "≥ 0.90×", "≤ 80 MB"), and whether it is met. */
  target?: string
  met?: boolean
}

/** Everything {@link benchPlatform} measured, and how. */
export interface PlatformResult {
  node: string
  settings: Record<string, unknown>
  figures: PlatformFigure[]
}

const MiB = 1024 * 1024
/** Largest payload the relay puts in one frame so that the signed frame stays within one 1 MiB chunk. */
const FRAME_PAYLOAD_BYTES = MiB - 4 * 1024

/** Runs the platform benchmarks. */
export async function benchPlatform (options: BenchPlatformOptions = {}): Promise<PlatformResult> {
  const short = options.short ?? false
  const o = {
    streamBytes: options.streamBytes ?? (short ? 8 * MiB : 64 * MiB),
    streamRounds: options.streamRounds ?? (short ? 1 : 3),
    dhtNodes: options.dhtNodes ?? (short ? 30 : 200),
    dhtLookups: options.dhtLookups ?? (short ? 10 : 50),
    daemonRuns: options.daemonRuns ?? (short ? 1 : 3),
    idleMs: options.idleMs ?? (short ? 1000 : 60_000),
    bin: options.bin ?? findBin(),
    only: options.only ?? ['stream', 'crypto', 'dht', 'daemon'],
    progress: options.progress ?? ((line: string) => { process.stderr.write(`[platform bench] ${line}\n`) })
  }
  const figures: PlatformFigure[] = []
  const settings: Record<string, unknown> = { ...o, progress: undefined }
  if (o.only.includes('stream')) figures.push(...await streamFigures(o.streamBytes, o.streamRounds, o.progress))
  if (o.only.includes('crypto')) figures.push(...await cryptoFigures(short))
  if (o.only.includes('dht')) {
    const dht = await dhtFigures(o.dhtNodes, o.dhtLookups, o.progress)
    figures.push(...dht.figures)
    settings.dht = dht.settings
  }
  if (o.only.includes('daemon')) figures.push(...await daemonFigures(o.bin, o.daemonRuns, o.idleMs, o.progress))
  return { node: process.version, settings, figures }
}

// ---------------------------------------------------------------- streams

async function streamFigures (bytes: number, rounds: number, progress: (l: string) => void): Promise<PlatformFigure[]> {
  const [a, b] = await Promise.all([tcpNode(), tcpNode()])
  try {
    await a.dial(b.getMultiaddrs()[0]!)
    const kinds: Array<[string, (n: number) => Promise<number>]> = [
      ['raw TCP', (n) => rawTcpTransfer(n)],
      ['bare libp2p stream', (n) => bareTransfer(a, b, n)],
      ['mesh messageStream, 1 MiB messages', (n) => meshTransfer(a, b, n, false)],
      ['mesh messageStream, signed frames', (n) => meshTransfer(a, b, n, true)]
    ]
    // Warm up every path (JIT, Noise/Yamux windows) with a small transfer first.
    for (const [, fn] of kinds) await fn(Math.min(bytes, 4 * MiB))
    const samples = new Map<string, number[]>(kinds.map(([k]) => [k, []]))
    for (let r = 0; r < rounds; r++) {
      for (const [name, fn] of kinds) {
        const ms = await fn(bytes)
        samples.get(name)!.push(bytes / MiB / (ms / 1000))
      }
    }
    const med = (k: string): number => median(samples.get(k)!)
    progress(`streams: ${kinds.map(([k]) => `${k} ${med(k).toFixed(0)} MiB/s`).join(', ')}`)
    const fig = (name: string, baselineName: string, target?: number): PlatformFigure => {
      const s = samples.get(name)!
      const base = med(baselineName)
      const ratio = med(name) / base
      return {
        section: 'stream',
        name,
        value: med(name),
        unit: 'MiB/s',
        min: Math.min(...s),
        max: Math.max(...s),
        baselineName,
        baseline: base,
        ratio,
        ...(target != null ? { target: `≥ ${target.toFixed(2)}×`, met: ratio >= target } : {})
      }
    }
    return [
      fig('bare libp2p stream', 'raw TCP'),
      fig('mesh messageStream, 1 MiB messages', 'bare libp2p stream', 0.9),
      fig('mesh messageStream, signed frames', 'bare libp2p stream')
    ]
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
}

async function tcpNode (): Promise<Libp2p> {
  const privateKey = await generateKeyPair('Ed25519')
  const node = await createLibp2p({
    privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false }
  })
  keys.set(node, privateKey)
  return node
}

/** ms to send `total` bytes in 1 MiB writes over loopback TCP and get a one-byte answer. */
async function rawTcpTransfer (total: number): Promise<number> {
  const server = createTcpServer((socket) => {
    let n = 0
    socket.on('data', (d: Buffer) => { n += d.byteLength; if (n >= total) socket.end('k') })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  try {
    const socket = tcpConnect(port, '127.0.0.1')
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
    const done = new Promise<void>((resolve, reject) => { socket.once('data', () => resolve()); socket.once('error', reject) })
    const chunk = Buffer.alloc(MiB, 7)
    const t0 = performance.now()
    for (let sent = 0; sent < total; sent += MiB) {
      if (!socket.write(chunk.subarray(0, Math.min(MiB, total - sent)))) await new Promise((resolve) => socket.once('drain', resolve))
    }
    await done
    const ms = performance.now() - t0
    socket.destroy()
    return ms
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

const BARE_PROTOCOL = '/agentmesh-bench/bare/1'
const MESH_PROTOCOL = '/agentmesh-bench/mesh/1'

/** ms to send `total` bytes over a fresh libp2p stream in 1 MiB `send`s, honouring back-pressure, and read a one-byte answer. */
async function bareTransfer (a: Libp2p, b: Libp2p, total: number): Promise<number> {
  await b.handle(BARE_PROTOCOL, async (stream: Stream) => {
    let n = 0
    for await (const chunk of stream) {
      n += chunk.byteLength
      if (n >= total) { stream.send(new Uint8Array([1])); await stream.close() }
    }
  }, { force: true })
  const stream = await a.dialProtocol(b.peerId, BARE_PROTOCOL)
  const chunk = new Uint8Array(MiB).fill(7)
  const t0 = performance.now()
  for (let sent = 0; sent < total; sent += MiB) {
    if (!stream.send(chunk.subarray(0, Math.min(MiB, total - sent)))) await stream.onDrain()
  }
  for await (const _ of stream) break
  const ms = performance.now() - t0
  await stream.close().catch(() => {})
  await b.unhandle(BARE_PROTOCOL)
  return ms
}

/** ms to send `total` bytes as relay messages (1 MiB, or signed frames of the relay's largest payload) and read one answer. */
async function meshTransfer (a: Libp2p, b: Libp2p, total: number, signed: boolean): Promise<number> {
  const { messageStream } = await import('../../src/relay/message-stream.js')
  const { createSigner, createVerifier, sealFrame, openFrame, FrameKind } = await import('../../src/envelope/index.js')
  const signer = createSigner(keyOf(a))
  const verifier = createVerifier()
  const sender = a.peerId.toString()
  await b.handle(MESH_PROTOCOL, async (stream: Stream) => {
    const ms = messageStream(stream)
    let n = 0
    while (n < total) {
      const message = await ms.read()
      n += signed ? openFrame(message, { remotePeer: sender, verifier }).payload.byteLength : message.byteLength
    }
    await ms.write(new Uint8Array([1]))
    await stream.close()
  }, { force: true })
  const stream = await a.dialProtocol(b.peerId, MESH_PROTOCOL)
  const ms = messageStream(stream)
  const size = signed ? FRAME_PAYLOAD_BYTES : MiB
  const payload = new Uint8Array(size).fill(7)
  const envelopeId = new Uint8Array(16).fill(1)
  const t0 = performance.now()
  let index = 0
  for (let sent = 0; sent < total; sent += size) {
    const body = payload.subarray(0, Math.min(size, total - sent))
    await ms.write(signed ? sealFrame({ envelopeId, index: index++, kind: FrameKind.EVENT, payload: body, timestampMs: Date.now() }, signer) : body)
  }
  await ms.read()
  const elapsed = performance.now() - t0
  await stream.close().catch(() => {})
  await b.unhandle(MESH_PROTOCOL)
  return elapsed
}

const keys = new WeakMap<Libp2p, PrivateKey>()
function keyOf (node: Libp2p): PrivateKey {
  const key = keys.get(node)
  if (key == null) throw new Error('no private key for the bench node')
  return key
}

// ---------------------------------------------------------------- crypto

async function cryptoFigures (short: boolean): Promise<PlatformFigure[]> {
  const results = await benchCrypto({ durationMs: short ? 150 : 1000, sizes: [64] })
  return results.filter((r) => r.impl !== BASELINE_IMPL).map((r) => {
    const base = results.find((b) => b.op === r.op && b.bytes === r.bytes && b.impl === BASELINE_IMPL)!
    return { section: 'crypto', name: `${r.op} ${r.bytes} B ${r.impl}`, value: r.opsPerSec, unit: 'ops/s', baselineName: `${r.op} ${r.bytes} B ${BASELINE_IMPL}`, baseline: base.opsPerSec, ratio: r.opsPerSec / base.opsPerSec }
  }).concat(results.filter((r) => r.impl === BASELINE_IMPL).map((r) => ({
    section: 'crypto', name: `${r.op} ${r.bytes} B ${r.impl} (what src/envelope uses)`, value: r.opsPerSec, unit: 'ops/s', baselineName: 'itself', baseline: r.opsPerSec, ratio: 1
  })))
}

// ---------------------------------------------------------------- DHT

async function dhtFigures (count: number, lookups: number, progress: (l: string) => void): Promise<{ figures: PlatformFigure[], settings: Record<string, unknown> }> {
  const { createMeshNode } = await import('../../src/node/index.js')
  const { defaultConfig } = await import('../../src/config/index.js')
  const degree = Math.min(4, count - 1)
  const settings = {
    nodes: count,
    transport: '@libp2p/memory, Noise, Yamux (createMeshNode)',
    dht: 'kadDHT as the daemon sets it (mesh protocol id, server mode, passthroughMapper, kad-dht defaults k=20, alpha=3)',
    wiring: `each node dials ${degree} random earlier nodes; no mDNS, no NAT services, connection monitor off (as the simulator)`,
    lookups,
    rule: 'source and target drawn at random among pairs where the source does not already know the target\'s address'
  }
  const t0 = performance.now()
  const nodes: Array<Awaited<ReturnType<typeof createMeshNode>>> = []
  const rand = mulberry32(42)
  try {
    for (let i = 0; i < count; i++) {
      const config = defaultConfig()
      config.listen = [`/memory/am-bench-${process.pid}-${i}`]
      config.mdns = false
      config.nat = { ...config.nat, dcutr: false, autonat: false, upnp: false, reserve: false, relay: false }
      const node = await createMeshNode({ config, privateKey: await generateKeyPair('Ed25519'), datastore: new MemoryDatastore(), transports: [memory()], connectionMonitor: false })
      await node.start()
      const targets = new Set<number>()
      while (i > 0 && targets.size < Math.min(degree, i)) targets.add(Math.floor(rand() * i))
      await Promise.all([...targets].map(async (t) => { await node.dial(nodes[t]!.getMultiaddrs()[0]!).catch(() => {}) }))
      nodes.push(node)
    }
    // Let identify and the routing tables settle.
    await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 + count * 10)))
    progress(`dht: ${count} nodes up and wired in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    // Baseline: one libp2p ping between connected peers.
    const pings: number[] = []
    for (let i = 0; i < lookups; i++) {
      const n = nodes[Math.floor(rand() * count)]!
      const conn = n.getConnections()[0]
      if (conn == null) continue
      // Timed here: ping() reports whole milliseconds, which is 0 on the memory transport.
      const s = performance.now()
      await n.services.ping.ping(conn.remotePeer)
      pings.push(performance.now() - s)
    }
    // Every pair whose source does not yet know the target's address, in a seeded random order:
    // in a small mesh most pairs are known after the settle, and drawing pairs blindly could miss
    // the few that are not (the CI run where no lookup was measured).
    const unknown: Array<[number, number]> = []
    for (let s = 0; s < count; s++) {
      const addressed = new Set((await nodes[s]!.peerStore.all()).filter((p) => p.addresses.length > 0).map((p) => p.id.toString()))
      for (let d = 0; d < count; d++) if (d !== s && !addressed.has(nodes[d]!.peerId.toString())) unknown.push([s, d])
    }
    for (let i = unknown.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [unknown[i], unknown[j]] = [unknown[j]!, unknown[i]!]
    }
    if (unknown.length === 0) throw new Error(`dht: after the settle every one of the ${count} nodes knows every other's address, so there is no lookup to measure`)
    const times: number[] = []
    let failed = 0
    for (const [s, d] of unknown.slice(0, lookups)) {
      const start = performance.now()
      const peer = await nodes[s]!.peerRouting.findPeer(nodes[d]!.peerId, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined)
      if (peer != null) times.push(performance.now() - start)
      else failed++
    }
    const notDrawn = Math.max(0, lookups - unknown.length)
    progress(`dht: ${times.length} lookups, p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms${failed > 0 ? `, ${failed} failed` : ''}${notDrawn > 0 ? `, ${notDrawn} not drawn (only ${unknown.length} unknown pairs)` : ''}`)
    if (times.length === 0) throw new Error(`dht: none of the ${failed} lookups found its peer within 10 s`)
    const pingP50 = percentile(pings, 50)
    const fig = (p: number): PlatformFigure => ({
      section: 'dht', name: `findPeer p${p} (${count} nodes, ${times.length} lookups)`, value: percentile(times, p), unit: 'ms', min: Math.min(...times), max: Math.max(...times), baselineName: 'ping p50 between connected peers', baseline: pingP50, ratio: percentile(times, p) / pingP50
    })
    return { figures: [fig(50), fig(95)], settings: { ...settings, unknownPairs: unknown.length, measuredLookups: times.length, failedLookups: failed, notDrawn } }
  } finally {
    await Promise.all(nodes.map(async (n) => { try { await n.stop() } catch {} }))
  }
}

// ---------------------------------------------------------------- daemon footprint

interface DaemonRun { startupMs: number, wallMs: number, rssMb: { a: number, b: number } }

async function daemonFigures (bin: string, runs: number, idleMs: number, progress: (l: string) => void): Promise<PlatformFigure[]> {
  const bare = await bareNodeFootprint()
  const out: DaemonRun[] = []
  for (let i = 0; i < runs; i++) {
    const r = await daemonPair(bin, idleMs)
    progress(`daemon run ${i + 1}/${runs}: ready ${r.startupMs} ms (wall ${r.wallMs.toFixed(0)} ms), idle RSS A ${r.rssMb.a.toFixed(1)} MB, B ${r.rssMb.b.toFixed(1)} MB`)
    out.push(r)
  }
  const fig = (name: string, values: number[], unit: string, baselineName: string, baseline: number, target?: [string, boolean]): PlatformFigure => ({
    section: 'daemon', name, value: median(values), unit, min: Math.min(...values), max: Math.max(...values), baselineName, baseline, ratio: median(values) / baseline,
    ...(target != null ? { target: target[0], met: target[1] } : {})
  })
  const rssB = out.map((r) => r.rssMb.b)
  const rssA = out.map((r) => r.rssMb.a)
  const wall = out.map((r) => r.wallMs)
  return [
    fig('start-up, spawn to ready line (wall)', wall, 'ms', 'bare node, spawn to first line', bare.wallMs, ['≤ 1000 ms', median(wall) <= 1000]),
    fig('start-up, ready line startupMs', out.map((r) => r.startupMs), 'ms', 'bare node, spawn to first line', bare.wallMs),
    fig(`idle RSS after ${idleMs / 1000} s, daemon B (hosts the agent)`, rssB, 'MB', 'bare node idle RSS', bare.rssMb, ['≤ 80 MB', median(rssB) <= 80]),
    fig(`idle RSS after ${idleMs / 1000} s, daemon A`, rssA, 'MB', 'bare node idle RSS', bare.rssMb, ['≤ 80 MB', median(rssA) <= 80])
  ]
}

async function bareNodeFootprint (): Promise<{ wallMs: number, rssMb: number }> {
  const t0 = performance.now()
  const proc = spawn(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1e6)'], { stdio: ['ignore', 'pipe', 'ignore'] })
  await new Promise((resolve) => proc.stdout!.once('data', resolve))
  const wallMs = performance.now() - t0
  await new Promise((resolve) => setTimeout(resolve, 500))
  const rssMb = vmRssMb(proc.pid!)
  proc.kill('SIGKILL')
  return { wallMs, rssMb }
}

async function daemonPair (bin: string, idleMs: number): Promise<DaemonRun> {
  const root = mkdtempSync(join(tmpdir(), 'amp-'))
  const procs: ChildProcess[] = []
  let agent: HttpServer | undefined
  try {
    await certify(root, { a: [], b: ['echo:orchestrator'] })
    const b = await startDaemon(bin, join(root, 'b'), [], procs)
    const a = await startDaemon(bin, join(root, 'a'), ['--bootstrap', b.address], procs)
    await waitFor(async () => {
      const r = await apiCall(a.apiSocket, 'GET', '/v1/peers')
      return r.status === 200 && Array.isArray(r.body?.peers) && r.body.peers.some((p: any) => p.peer === b.peerId)
    }, 15_000)
    agent = await cardServer()
    const url = `http://127.0.0.1:${(agent.address() as { port: number }).port}/`
    const reg = await apiCall(b.apiSocket, 'POST', '/v1/agents', { name: 'echo', url })
    if (reg.status !== 201) throw new Error(`POST /v1/agents answered ${reg.status}: ${JSON.stringify(reg.body)}`)
    await new Promise((resolve) => setTimeout(resolve, idleMs))
    return { startupMs: a.startupMs, wallMs: a.wallMs, rssMb: { a: vmRssMb(a.pid), b: vmRssMb(b.pid) } }
  } finally {
    for (const p of procs) if (p.exitCode == null && p.signalCode == null) p.kill('SIGTERM')
    await Promise.all(procs.map(async (p) => { if (p.exitCode == null && p.signalCode == null) await new Promise((resolve) => p.once('exit', resolve)) }))
    if (agent != null) await new Promise((resolve) => agent!.close(resolve))
    rmSync(root, { recursive: true, force: true })
  }
}

/** An authority and, per home, a certificate installed as `agentmesh join` would. */
async function certify (root: string, homes: Record<string, string[]>): Promise<void> {
  const { initHome } = await import('../../src/home/index.js')
  const { initAuthority, issueBundle, installBundle } = await import('../../src/trust/index.js')
  const { createVerifier } = await import('../../src/envelope/index.js')
  const { authority } = await initAuthority(join(root, 'authority'), Date.now())
  for (const [name, agents] of Object.entries(homes)) {
    const { peerId, paths } = await initHome(join(root, name))
    installBundle(paths.trust, issueBundle(authority, { peer: peerId, agents, now: Date.now() }).bundle, peerId, createVerifier(), Date.now())
  }
}

async function startDaemon (bin: string, home: string, extra: string[], procs: ChildProcess[]): Promise<{ pid: number, peerId: string, address: string, apiSocket: string, startupMs: number, wallMs: number }> {
  mkdirSync(home, { mode: 0o700, recursive: true })
  const logFile = `${home}.log`
  const logFd = openSync(logFile, 'a')
  const t0 = performance.now()
  const proc = spawn(process.execPath, [bin, 'daemon', '--json', '--home', home, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', ...extra], { stdio: ['ignore', 'pipe', logFd] })
  closeSync(logFd)
  procs.push(proc)
  const lines = createInterface({ input: proc.stdout! })
  const ready = await new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon in ${home} not ready in 30 s; log:\n${tail(logFile)}`)), 30_000)
    lines.on('line', (line) => {
      try { const m = JSON.parse(line); if (m.event === 'ready') { clearTimeout(timer); resolve(m) } } catch {}
    })
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`daemon in ${home} exited (${code}); log:\n${tail(logFile)}`)) })
  })
  const wallMs = performance.now() - t0
  lines.close()
  proc.stdout!.resume()
  const addresses = (ready.addresses as unknown[]).map(String)
  const address = addresses.find((x) => x.startsWith('/ip4/127.0.0.1/tcp/')) ?? addresses[0]!
  return {
    pid: proc.pid!,
    peerId: String(ready.peerId),
    address: address.includes('/p2p/') ? address : `${address}/p2p/${String(ready.peerId)}`,
    apiSocket: String(ready.apiSocket ?? join(home, 'api.sock')),
    startupMs: Number(ready.startupMs),
    wallMs
  }
}

/** Serves a minimal A2A agent card, all that registration fetches. */
async function cardServer (): Promise<HttpServer> {
  const server = createHttpServer((req, res) => {
    const port = (server.address() as { port: number }).port
    res.setHeader('Content-Type', 'application/json')
    res.end(JSON.stringify({
      name: 'echo', description: 'bench', version: '1.0.0', protocolVersion: '0.3.0', url: `http://127.0.0.1:${port}/`,
      supportedInterfaces: [{ url: `http://127.0.0.1:${port}/`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }], capabilities: {}, defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'], skills: []
    }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

function vmRssMb (pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (m == null) throw new Error(`no VmRSS for ${pid}`)
  return Number(m[1]) / 1024
}


async function waitFor (check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try { if (await check()) return } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out after ${timeoutMs} ms`)
}

function tail (file: string, lines = 20): string {
  try { return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') } catch { return '(no log)' }
}

/** bin/agentmesh.js of this repository, from either test/bench or dist/test/bench. */
function findBin (): string {
  let dir = import.meta.dirname
  while (dir !== dirname(dir)) {
    const bin = join(dir, 'bin', 'agentmesh.js')
    if (existsSync(bin)) return bin
    dir = dirname(dir)
  }
  throw new Error('bin/agentmesh.js not found above ' + import.meta.dirname)
}

// ---------------------------------------------------------------- helpers and output

function median (xs: number[]): number { return percentile(xs, 50) }

function percentile (xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((x, y) => x - y)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

function mulberry32 (seed: number): () => number {
  let t = seed >>> 0
  return () => {
    t = (t + 0x6D2B79F5) >>> 0
    let r = Math.imul(t ^ (t >>> 15), 1 | t)
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296
  }
}

/** A markdown table: every figure, its spread, its baseline and the ratio. */
export function formatPlatformTable (r: PlatformResult): string {
  const num = (x: number): string => Number.isNaN(x) ? 'n/a' : x >= 1000 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(1) : x.toFixed(2)
  const rows = r.figures.map((f) => [
    f.section, f.name, `${num(f.value)} ${f.unit}`, f.min != null && f.max != null && f.min !== f.max ? `${num(f.min)}–${num(f.max)}` : '',
    `${f.baselineName}: ${num(f.baseline)} ${f.unit}`, `${f.ratio.toFixed(2)}×`, f.target == null ? '' : `${f.target} ${f.met === true ? 'met' : 'NOT met'}`
  ])
  const header = ['section', 'figure', 'value', 'spread', 'baseline (same run)', 'ratio', 'target']
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n')
}

const PLATFORM_PARTS = ['stream', 'crypto', 'dht', 'daemon'] as const
const PLATFORM_USAGE = `usage: node dist/test/bench/platform.js [options]   (or: npm run bench -- platform)
One mesh stream's bulk throughput vs a bare js-libp2p stream vs raw TCP; sign/verify ops/s; DHT
lookups in a 200-node in-process mesh; daemon start-up and idle RSS. Prints a table, then JSON.
  --only LIST             parts to run, comma-separated: ${PLATFORM_PARTS.join(', ')} (default all)
  --bin PATH              another build's bin/agentmesh.js for the daemon figures
  --short                 a small run (the test suite's)
  -h, --help              this text`

if (process.argv[1] != null && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = benchCli(process.argv.slice(2), { bin: { type: 'string' }, only: { type: 'string' }, short: { type: 'boolean' } }, PLATFORM_USAGE, (args): BenchPlatformOptions => {
    const only = args.strings.only?.split(',')
    const unknown = only?.filter((part) => !(PLATFORM_PARTS as readonly string[]).includes(part))
    if (unknown !== undefined && unknown.length > 0) throw new BenchUsageError(`--only: unknown part ${unknown.join(', ')}; parts: ${PLATFORM_PARTS.join(', ')}`)
    return {
      short: args.has('short'),
      ...(args.strings.bin !== undefined ? { bin: resolve(args.strings.bin) } : {}),
      ...(only !== undefined ? { only: only as BenchPlatformOptions['only'] } : {})
    }
  })
  const result = await benchPlatform(options)
  process.stdout.write(`${formatPlatformTable(result)}\n\n${JSON.stringify(result, null, 2)}\n`)
  process.exit(0)
}
