/**
 * A2A relay overhead: the same stock @a2a-js/sdk client and echo agent, once
 * talking directly over HTTP and once through two agentmesh daemons.
 *
 * Run with `npx tsc -p tsconfig.json && node dist/test/bench/run.js a2a`
 * (Node 22: use node_modules/.bin/node), or `node dist/test/bench/a2a.js`.
 *
 * One run starts, all on loopback:
 * - an in-process SDK echo agent (express, 127.0.0.1:0) that answers every
 *   message with a Message `echo: <text>`;
 * - daemon B (hosts the agent, registered with `POST /v1/agents`) and daemon A
 *   (the caller's daemon, bootstrapped to B), as child processes with mDNS off
 *   and the default log level (their logs go to files, not to this process).
 *
 * Then it measures, each path with the same client code (SDK ClientFactory +
 * JsonRpcTransportFactory + DefaultAgentCardResolver over undici):
 * - raw TCP: a node:net echo of 256 bytes, for context;
 * - libp2p ping: `POST /v1/peers/{B}/ping` on A's socket, for context: one
 *   API call plus one fresh libp2p stream (opened, negotiated, closed), the
 *   stream lifecycle the relay repeats for every task;
 * - direct: the client POSTs to the agent's own URL;
 * - mesh: the client POSTs to `/a2a/echo@<B>/` on A's Unix socket; A seals an
 *   envelope, B opens it, calls the agent and sends the signed RESULT back.
 * For each: sequential round trips (p50/p99) and tasks/s with N concurrent
 * callers. Every reply is checked, and the agent counts its executions, so a
 * lost, duplicated or short-circuited request shows up as an error.
 *
 * The bench, the client and the echo agent share one process and the daemons
 * are two more, so on a 2-core machine the mesh figures include CPU
 * contention between all three.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { request as httpRequest, createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createTcpServer, connect as tcpConnect, type Server as TcpServer, type Socket } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import express from 'express'
import { Agent, fetch as undiciFetch } from 'undici'
import { AGENT_CARD_PATH, Role, type AgentCard, type Message, type SendMessageRequest } from '@a2a-js/sdk'
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from '@a2a-js/sdk/server'
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import { ClientFactory, ClientFactoryOptions, DefaultAgentCardResolver, JsonRpcTransportFactory, type Client } from '@a2a-js/sdk/client'
import { benchCli } from './args.js'

/** The repository's root, from test/bench (vitest) or dist/test/bench (npm run bench). */
const ROOT = (() => {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'agentmesh.js'))) return dir
  }
  throw new Error(`bin/agentmesh.js not found above ${import.meta.dirname}`)
})()

/** The CLI the daemons run, exactly as users do. */
const BIN = join(ROOT, 'bin', 'agentmesh.js')

/** Options of {@link benchA2A}. */
export interface BenchA2AOptions {
  /** Sequential round trips measured per path. Default 2000. */
  requests?: number
  /** Sequential round trips before measuring. Default 200. */
  warmup?: number
  /**
   * Tasks sent through each path (8 callers) after the first one-caller series and before the
   * second one and the throughput windows, so that those measure warm daemons, as a long-running
   * daemon is: V8 optimizes a function only after thousands of calls, and a task runs hundreds of
   * functions a few times each (measured: both daemons' CPU per task fell from ≈ 8 to ≈ 3.3 ms
   * over the first 5,000 tasks). 0 skips it. Default 4000.
   */
  warmTasks?: number
  /** Concurrent callers for the throughput figures. Default [1, 8, 32]. */
  concurrency?: number[]
  /** One throughput window per path, round and concurrency (ms). Default 1500. */
  windowMs?: number
  /** Rounds of throughput windows; each round visits every path once, in a rotating order. Default 3. */
  rounds?: number
  /** Longest time one sequential series (warm-up included) may take; fewer requests are measured if it runs out. Default 25000. */
  seriesTimeoutMs?: number
  /** Payload of the raw TCP echo. Default 256. */
  tcpBytes?: number
  /** `--log-level` of both daemons. Default `info` (the daemon's default). */
  logLevel?: string
  /** Run both daemons in lab mode (`--open`: no certificate or policy checks), to see what the closed mesh costs. Default false. */
  open?: boolean
  /** Daemons that predate trust: no certificates and no `--open` flag (to bench an older build with this bench). Default false. */
  legacy?: boolean
  /** Run the agent in the client's process instead of its own (the old setup; it flatters the mesh). Default false. */
  agentInline?: boolean
  /** The `agentmesh` entry point the daemons run (default this checkout's bin/agentmesh.js): another build's, to bench it against this one. */
  daemonBin?: string
  /** Start both daemons with `--cpu-prof` and leave their profiles in this folder. */
  cpuProfileDir?: string
  /** Extra Node flags for both daemons (e.g. `--max-semi-space-size=64`), to measure V8 settings. */
  daemonNodeFlags?: string[]
  /** The whole bench is aborted after this long. Default 300000. */
  timeoutMs?: number
  /** If set, the daemons' logs are copied into this folder (as A.log, B.log) before the temp folder is removed. */
  logDir?: string
  /** Progress lines go here (default stderr); pass `() => {}` to silence. */
  progress?: (line: string) => void
}

/** Sequential round-trip figures. */
export interface LatencyStats {
  count: number
  p50Ms: number
  p99Ms: number
  meanMs: number
  minMs: number
  errors: number
}

/** Concurrent throughput figures of one path at one concurrency, summed over its windows. */
export interface ThroughputStats {
  concurrency: number
  tasks: number
  elapsedMs: number
  tasksPerSec: number
  errors: number
  /** CPU time (user + system) both daemons spent during this path's windows, per completed task (ms). */
  daemonCpuMsPerTask: number
  /** The same for the agent's process (0 when it runs inside the bench) and for the bench's own process, where the SDK clients run. */
  agentCpuMsPerTask: number
  clientCpuMsPerTask: number
  /** Share of the machine's CPU time (all CPUs, from /proc/stat) that was busy during this path's windows: near 1, the machine is the limit. */
  machineBusy: number
}

/** One path's figures. */
export interface PathResult {
  name: string
  /** One caller, right after start-up (200 warm-up calls): cold daemons. */
  latency: LatencyStats
  /** One caller again, after `warmTasks` more tasks per path; undefined when warmTasks is 0. */
  warmLatency?: LatencyStats
  throughput: ThroughputStats[]
}

/** Mean time per task of one stage, on one daemon (from its /metrics histograms). */
export interface StageFigure {
  daemon: 'A' | 'B'
  stage: string
  meanMs: number
  count: number
}

/** Everything {@link benchA2A} measured. */
export interface A2ABenchResult {
  node: string
  cpus: number
  tcp: { name: string, latency: LatencyStats }
  /**
   * The same echo with the server in a process of its own: each round trip wakes another process
   * and then this one, as every hop of an A2A call does (the direct call makes one such round trip,
   * the mesh path three), so its p50 is the floor per hop on this machine.
   */
  tcpHop: { name: string, latency: LatencyStats }
  /**
   * `POST /v1/peers/{B}/ping` on A's socket, timed by the caller: an API round trip plus one libp2p ping
   * on a freshly opened stream (open, protocol negotiation, 32 B each way, close).
   */
  ping: { name: string, latency: LatencyStats }
  /** The direct call first (the baseline), then the mesh paths. */
  paths: PathResult[]
  /** Per-stage breakdown of the mesh tasks, if the daemons export stage histograms. */
  stages: StageFigure[]
  setup: {
    daemonStartupMs: { a: number, b: number }
    connectMs: number
    registerMs: number
    /** ms until A's directory listed B as a provider of the agent; null if it did not within the wait. */
    directoryMs: number | null
    /** Card fetch + first SendMessage through the mesh (cold streams). */
    firstMeshCallMs: number
    meshCardUrl: string
    agentAddress: string
    /** Executions the agent counted during the measured series vs requests the clients sent in it. */
    agentCalls: number
    clientCalls: number
  }
}

const AGENT = 'echo'

/**
 * Starts the echo agent and two daemons, measures the raw TCP, direct and
 * mesh paths, and always stops every child process and removes every temp
 * folder before returning or throwing.
 */
export async function benchA2A (options: BenchA2AOptions = {}): Promise<A2ABenchResult> {
  const o = {
    requests: options.requests ?? 2000,
    warmup: options.warmup ?? 200,
    warmTasks: options.warmTasks ?? 4000,
    concurrency: options.concurrency ?? [1, 8, 32],
    windowMs: options.windowMs ?? 1500,
    rounds: options.rounds ?? 3,
    seriesTimeoutMs: options.seriesTimeoutMs ?? 25_000,
    tcpBytes: options.tcpBytes ?? 256,
    logLevel: options.logLevel ?? 'info',
    open: options.open ?? false,
    legacy: options.legacy ?? false,
    agentInline: options.agentInline ?? false,
    timeoutMs: options.timeoutMs ?? 300_000,
    progress: options.progress ?? ((line: string) => { process.stderr.write(`[a2a bench] ${line}\n`) })
  }
  const root = mkdtempSync(join(tmpdir(), 'amb-'))
  const abort = new AbortController()
  const watchdog = setTimeout(() => abort.abort(new Error(`a2a bench exceeded ${o.timeoutMs} ms`)), o.timeoutMs)
  const daemons: DaemonProc[] = []
  const closers: Array<() => Promise<void>> = []
  // If the process dies under us (an uncaught error, Ctrl-C), still kill the daemons and remove the folder.
  const onExit = (): void => {
    for (const d of daemons) if (d.proc.exitCode == null && d.proc.signalCode == null) d.proc.kill('SIGKILL')
    rmSync(root, { recursive: true, force: true })
  }
  const onSignal = (signal: NodeJS.Signals): void => { onExit(); process.exit(signal === 'SIGINT' ? 130 : 143) }
  process.once('exit', onExit)
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    // The agent.
    const agent = o.agentInline ? await startEchoAgent() : await startEchoAgentProcess()
    closers.push(agent.close)
    o.progress(`echo agent on ${agent.url}`)

    // A closed mesh, as users run it: one authority, a certificate per host
    // (B may host the agent as an orchestrator, which the example policy lets
    // A's operator call), the policy checked on both daemons.
    const bin = options.daemonBin != null ? resolve(options.daemonBin) : BIN
    if (!o.open && !o.legacy) await certify(root, { a: [], b: [`${AGENT}:orchestrator`] }, bin)
    const mode = [...(o.open && !o.legacy ? ['--open'] : []), '--api-tcp', '127.0.0.1:0']
    const profile = [...(options.cpuProfileDir != null ? ['--cpu-prof', '--cpu-prof-dir', resolve(options.cpuProfileDir)] : []), ...(options.daemonNodeFlags ?? [])]
    o.progress(o.legacy ? 'legacy daemons (no trust layer)' : o.open ? 'lab mode (--open): no certificates, no policy' : 'closed mesh: certificates and the example hierarchy policy on both daemons')
    // Daemon B first (A bootstraps to it), then A.
    const b = await startDaemon(join(root, 'b'), ['--log-level', o.logLevel, ...mode], abort.signal, profile, bin)
    daemons.push(b)
    const a = await startDaemon(join(root, 'a'), ['--log-level', o.logLevel, ...mode, '--bootstrap', pickAddress(b)], abort.signal, profile, bin)
    daemons.push(a)
    o.progress(`daemons up: B ${b.peerId} (${b.startupMs} ms), A ${a.peerId} (${a.startupMs} ms)`)

    let t0 = performance.now()
    await waitFor(async () => {
      const r = await apiCall(a.apiSocket, 'GET', '/v1/peers')
      return r.status === 200 && Array.isArray(r.body?.peers) && r.body.peers.some((p: any) => p.peer === b.peerId)
    }, 'A to connect to B', 15_000, abort.signal)
    const connectMs = performance.now() - t0

    t0 = performance.now()
    const reg = await apiCall(b.apiSocket, 'POST', '/v1/agents', { name: AGENT, url: agent.url })
    if (reg.status !== 201) throw new Error(`POST /v1/agents on B answered ${reg.status}: ${JSON.stringify(reg.body)}`)
    const registerMs = performance.now() - t0
    const agentAddress = String(reg.body?.address ?? '')
    if (agentAddress !== `${AGENT}@${b.peerId}`) throw new Error(`POST /v1/agents returned address ${JSON.stringify(agentAddress)}, expected ${AGENT}@${b.peerId}`)

    // The directory is not needed (the bench addresses echo@B explicitly), so a slow one is only reported.
    t0 = performance.now()
    let directoryMs: number | null = null
    try {
      await waitFor(async () => {
        const r = await apiCall(a.apiSocket, 'GET', `/v1/directory/${AGENT}`)
        return r.status === 200 && Array.isArray(r.body?.providers) && r.body.providers.some((p: any) => p.peer === b.peerId)
      }, 'the directory to list B', 5_000, abort.signal)
      directoryMs = performance.now() - t0
    } catch (err) {
      o.progress(`warning: ${(err as Error).message}`)
    }

    // Clients: the same fetch implementation (undici's own fetch + a keep-alive Agent) for both paths.
    const tcpDispatcher = new Agent()
    const unixDispatcher = new Agent({ connect: { socketPath: a.apiSocket } })
    closers.push(async () => { await tcpDispatcher.close() }, async () => { await unixDispatcher.close() })
    const direct = await createClient(`${agent.url}/`, tcpDispatcher)

    const meshBase = `http://localhost/a2a/${agentAddress}/`
    const card = await undiciFetch(new URL(AGENT_CARD_PATH, meshBase), { dispatcher: unixDispatcher, headers: { 'A2A-Version': '1.0' }, signal: abort.signal })
    const cardBody: any = await card.json()
    const meshCardUrl = String(cardBody?.supportedInterfaces?.find((i: any) => i.protocolBinding === 'JSONRPC')?.url ?? '')
    if (card.status !== 200 || !meshCardUrl.startsWith('http://localhost/a2a/')) {
      throw new Error(`A's card for ${agentAddress} (status ${card.status}) does not point back into the mesh: ${JSON.stringify(cardBody)}`)
    }
    t0 = performance.now()
    const mesh = await createClient(meshBase, unixDispatcher)
    await callEcho(mesh, 'first', abort.signal)
    const firstMeshCallMs = performance.now() - t0
    o.progress(`A connected to B in ${connectMs.toFixed(0)} ms, agent registered in ${registerMs.toFixed(0)} ms, directory ${directoryMs == null ? 'not seen' : `${directoryMs.toFixed(0)} ms`}, first mesh call ${firstMeshCallMs.toFixed(0)} ms`)

    // Raw TCP echo, for context.
    const tcp = await startTcpEcho()
    closers.push(tcp.close)
    const tcpLatency = await tcpRoundTrips(tcp.port, o.tcpBytes, o.warmup, o.requests, o.seriesTimeoutMs, abort.signal)
    const hop = await startTcpEchoProcess()
    closers.push(hop.close)
    const tcpHopLatency = await tcpRoundTrips(hop.port, o.tcpBytes, o.warmup, o.requests, o.seriesTimeoutMs, abort.signal)
    o.progress(`raw TCP: p50 ${tcpLatency.p50Ms.toFixed(3)} ms in one process, ${tcpHopLatency.p50Ms.toFixed(3)} ms to another process`)

    // One libp2p stream lifecycle between the daemons, through A's API: the floor under one relayed task.
    const pingLatency = await sequential(async () => {
      const r = await apiCall(a.apiSocket, 'POST', `/v1/peers/${b.peerId}/ping`)
      if (r.status !== 200 || typeof r.body?.rttMs !== 'number') throw new Error(`ping answered ${r.status}: ${JSON.stringify(r.body)}`)
    }, 20, Math.min(o.requests, 200), 5_000, abort.signal)
    o.progress(`libp2p ping: p50 ${pingLatency.p50Ms.toFixed(3)} ms`)

    // The TCP API, with A's API token, as a user on another uid would call it.
    if (a.apiTcp == null) throw new Error('daemon A did not report its TCP API address')
    const token = readFileSync(join(a.home, 'api.token'), 'utf8').trim()
    const tcpApi = await createClient(`http://${a.apiTcp}/a2a/${agentAddress}/`, tcpDispatcher, token)

    const paths: Array<{ name: string, client: Client }> = [
      { name: 'A2A direct HTTP to the agent', client: direct },
      { name: 'A2A through A → B, A\'s Unix socket', client: mesh },
      { name: 'A2A through A → B, A\'s TCP API + token', client: tcpApi }
    ]
    const callsBefore = await agent.calls()
    let clientCalls = 0
    const call = async (p: number, text: string): Promise<void> => { clientCalls++; await callEcho(paths[p]!.client, text, abort.signal) }

    // One caller, the paths interleaved call by call (rotating which goes first), so that machine noise hits all alike.
    const scrapeBoth = async (): Promise<StageFigure[]> => [...await scrapeStages(a.apiSocket, 'A'), ...await scrapeStages(b.apiSocket, 'B')]
    let stagesBefore = await scrapeBoth()
    const latency = await interleavedLatency(paths.length, (p, i) => call(p, `seq ${p} ${i}`), o.warmup, o.requests, o.seriesTimeoutMs, abort.signal)
    let stages = diffStages(stagesBefore, await scrapeBoth())
    o.progress(`one caller, cold: p50 ${latency.map((l) => l.p50Ms.toFixed(3)).join(' / ')} ms (direct / unix / tcp)`)

    // Warm the daemons (and the agent, and the clients: every path alike), then one caller again.
    let warmLatency: LatencyStats[] | undefined
    if (o.warmTasks > 0) {
      const t = performance.now()
      for (let p = 0; p < paths.length; p++) {
        let sent = 0
        while (sent < o.warmTasks) sent += (await concurrentWindow((n) => call(p, `warm-up ${n}`), 8, 1000, abort.signal)).tasks
      }
      o.progress(`warmed up: ${o.warmTasks} tasks per path in ${((performance.now() - t) / 1000).toFixed(1)} s`)
      stagesBefore = await scrapeBoth()
      warmLatency = await interleavedLatency(paths.length, (p, i) => call(p, `warm seq ${p} ${i}`), 20, o.requests, o.seriesTimeoutMs, abort.signal)
      stages = diffStages(stagesBefore, await scrapeBoth())
      o.progress(`one caller, warm: p50 ${warmLatency.map((l) => l.p50Ms.toFixed(3)).join(' / ')} ms (direct / unix / tcp)`)
    }

    // Throughput: per concurrency, rounds of one window per path (rotating order), daemon CPU read around each window.
    const throughput: ThroughputStats[][] = paths.map(() => [])
    const cpu = (): number => cpuMs(a.proc.pid!) + cpuMs(b.proc.pid!)
    const agentCpu = (): number => agent.pid != null ? cpuMs(agent.pid) : 0
    const clientCpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
    for (const c of o.concurrency) {
      const sums = paths.map(() => ({ tasks: 0, elapsedMs: 0, errors: 0, cpuMs: 0, agentMs: 0, clientMs: 0, busy: 0, total: 0 }))
      await concurrentWindow((n) => call(0, `warm ${n}`), c, 500, abort.signal)
      await concurrentWindow((n) => call(1, `warm ${n}`), c, 500, abort.signal)
      for (let r = 0; r < o.rounds; r++) {
        for (let k = 0; k < paths.length; k++) {
          const p = (k + r) % paths.length
          const cpu0 = cpu()
          const agent0 = agentCpu()
          const client0 = clientCpu()
          const machine0 = machineTicks()
          const w = await concurrentWindow((n) => call(p, `c${c} ${p} ${n}`), c, o.windowMs, abort.signal)
          const machine1 = machineTicks()
          const s = sums[p]!
          s.cpuMs += cpu() - cpu0
          s.agentMs += agentCpu() - agent0
          s.clientMs += clientCpu() - client0
          s.busy += machine1.busy - machine0.busy
          s.total += machine1.total - machine0.total
          s.tasks += w.tasks
          s.elapsedMs += w.elapsedMs
          s.errors += w.errors
        }
      }
      sums.forEach((s, p) => throughput[p]!.push({ concurrency: c, tasks: s.tasks, elapsedMs: s.elapsedMs, errors: s.errors, tasksPerSec: s.tasks / (s.elapsedMs / 1000), daemonCpuMsPerTask: s.tasks > 0 ? s.cpuMs / s.tasks : 0, agentCpuMsPerTask: s.tasks > 0 ? s.agentMs / s.tasks : 0, clientCpuMsPerTask: s.tasks > 0 ? s.clientMs / s.tasks : 0, machineBusy: s.total > 0 ? s.busy / s.total : 0 }))
      o.progress(`${c} callers: ${sums.map((s) => Math.round(s.tasks / (s.elapsedMs / 1000))).join(' / ')} tasks/s, daemon CPU ${sums.map((s) => (s.cpuMs / Math.max(1, s.tasks)).toFixed(2)).join(' / ')} ms per task, machine busy ${sums.map((s) => `${Math.round(100 * s.busy / Math.max(1, s.total))} %`).join(' / ')}`)
    }
    const agentCalls = await agent.calls() - callsBefore
    for (const d of [a, b]) if (d.proc.exitCode != null || d.proc.signalCode != null) throw new Error(`daemon ${d.peerId} died during the bench:\n${tail(d.logFile)}`)
    return {
      node: process.version,
      cpus: cpus().length,
      tcp: { name: `raw TCP echo (node:net, ${o.tcpBytes} B)`, latency: tcpLatency },
      tcpHop: { name: `raw TCP echo, server in another process (${o.tcpBytes} B)`, latency: tcpHopLatency },
      ping: { name: 'libp2p ping A → B via A\'s API (new stream each)', latency: pingLatency },
      paths: paths.map((p, i) => ({ name: p.name, latency: latency[i]!, ...(warmLatency != null ? { warmLatency: warmLatency[i]! } : {}), throughput: throughput[i]! })),
      stages,
      setup: { daemonStartupMs: { a: a.startupMs, b: b.startupMs }, connectMs, registerMs, directoryMs, firstMeshCallMs, meshCardUrl, agentAddress, agentCalls, clientCalls }
    }
  } catch (err) {
    for (const d of daemons) process.stderr.write(`--- daemon ${d.name} log (tail) ---\n${tail(d.logFile)}\n`)
    throw err
  } finally {
    clearTimeout(watchdog)
    for (const close of closers.reverse()) await close().catch(() => {})
    await Promise.all(daemons.map(stopDaemon))
    if (options.logDir != null) {
      mkdirSync(options.logDir, { recursive: true })
      for (const d of daemons) copyFileSync(d.logFile, join(options.logDir, `${d.name}.log`))
    }
    rmSync(root, { recursive: true, force: true })
    process.off('exit', onExit)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

// ---------------------------------------------------------------- measuring

async function sequential (fn: () => Promise<void>, warmup: number, count: number, timeoutMs: number, signal: AbortSignal): Promise<LatencyStats> {
  const deadline = performance.now() + timeoutMs
  let errors = 0
  let firstError: unknown
  for (let i = 0; i < warmup && performance.now() < deadline; i++) {
    signal.throwIfAborted()
    try { await fn() } catch (err) { errors++; firstError ??= err }
  }
  const samples: number[] = []
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    signal.throwIfAborted()
    const t = performance.now()
    try {
      await fn()
      samples.push(performance.now() - t)
    } catch (err) { errors++; firstError ??= err }
    if (errors > 20 && errors > samples.length / 10) break
  }
  if (samples.length === 0) throw new Error(`every request failed: ${String(firstError)}`, { cause: firstError })
  if (firstError != null) process.stderr.write(`[a2a bench] ${errors} sequential errors, first: ${String(firstError)}\n`)
  return { ...stats(samples), errors }
}

/**
 * One caller, `paths` paths interleaved: round i calls every path once, starting
 * with path i mod paths, so that no path always runs right after another.
 */
async function interleavedLatency (paths: number, fn: (path: number, i: number) => Promise<void>, warmup: number, count: number, timeoutMs: number, signal: AbortSignal): Promise<LatencyStats[]> {
  const deadline = performance.now() + timeoutMs * paths
  const samples: number[][] = Array.from({ length: paths }, () => [])
  const errors = Array.from({ length: paths }, () => 0)
  let firstError: unknown
  for (let i = 0; i < warmup + count && performance.now() < deadline; i++) {
    for (let k = 0; k < paths; k++) {
      signal.throwIfAborted()
      const p = (i + k) % paths
      const t = performance.now()
      try {
        await fn(p, i)
        if (i >= warmup) samples[p]!.push(performance.now() - t)
      } catch (err) { errors[p]!++; firstError ??= err }
    }
    if (errors.some((e) => e > 20)) break
  }
  if (firstError != null) process.stderr.write(`[a2a bench] ${errors.join('/')} sequential errors, first: ${String(firstError)}\n`)
  return samples.map((s, p) => {
    if (s.length === 0) throw new Error(`every request on path ${p} failed: ${String(firstError)}`, { cause: firstError })
    return { ...stats(s), errors: errors[p]! }
  })
}

/** `workers` callers calling `fn` back to back for `durationMs`. */
export async function concurrentWindow (fn: (n: number) => Promise<void>, workers: number, durationMs: number, signal: AbortSignal): Promise<{ tasks: number, elapsedMs: number, errors: number }> {
  const start = performance.now()
  const end = start + durationMs
  let started = 0
  let tasks = 0
  let errors = 0
  let firstError: unknown
  const worker = async (): Promise<void> => {
    while (performance.now() < end && !signal.aborted && errors <= Math.max(20, tasks / 10)) {
      const n = started++
      try { await fn(n); tasks++ } catch (err) { errors++; firstError ??= err }
    }
  }
  await Promise.all(Array.from({ length: workers }, worker))
  signal.throwIfAborted()
  if (tasks === 0) throw new Error(`every concurrent request failed: ${String(firstError)}`, { cause: firstError })
  if (firstError != null) process.stderr.write(`[bench] ${errors} concurrent errors, first: ${String(firstError)}\n`)
  return { tasks, elapsedMs: performance.now() - start, errors }
}

/** CPU time (user + system, ms) a process has used, from /proc/PID/stat (Linux; clock ticks of 10 ms). */
/** Busy and total CPU time of the whole machine so far (all CPUs, in clock ticks, from /proc/stat; zeros where there is none). */
function machineTicks (): { busy: number, total: number } {
  let line: string | undefined
  try { line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] } catch { return { busy: 0, total: 0 } }
  // "cpu  user nice system idle iowait irq softirq steal …" (proc(5)); idle and iowait are not busy.
  const f = (line ?? '').trim().split(/\s+/).slice(1, 9).map(Number)
  const total = f.reduce((t, x) => t + (Number.isFinite(x) ? x : 0), 0)
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total }
}

export function cpuMs (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // After "pid (comm) ": state is field 3, utime field 14, stime field 15 (stat(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** The stages measured between two scrapes (the warm-up and setup calls are in the first). */
function diffStages (before: StageFigure[], after: StageFigure[]): StageFigure[] {
  return after.map((x) => {
    const b = before.find((y) => y.daemon === x.daemon && y.stage === x.stage)
    const count = x.count - (b?.count ?? 0)
    return { ...x, count, meanMs: count > 0 ? (x.meanMs * x.count - (b != null ? b.meanMs * b.count : 0)) / count : 0 }
  }).filter((x) => x.count > 0)
}

/** Mean per stage from the daemon's `agentmesh_task_stage_seconds` histogram, if it has one. */
async function scrapeStages (socketPath: string, daemon: 'A' | 'B'): Promise<StageFigure[]> {
  const r = await apiCall(socketPath, 'GET', '/metrics').catch(() => ({ status: 0, body: '' }))
  if (r.status !== 200 || typeof r.body !== 'string') return []
  const sums = new Map<string, number>()
  const counts = new Map<string, number>()
  for (const line of r.body.split('\n')) {
    const m = /^agentmesh_task_stage_seconds_(sum|count)\{[^}]*stage="([^"]+)"[^}]*\} ([0-9.e+-]+)$/.exec(line)
    if (m == null) continue
    ;(m[1] === 'sum' ? sums : counts).set(m[2]!, Number(m[3]))
  }
  return [...counts].filter(([, n]) => n > 0).map(([stage, n]) => ({ daemon, stage, count: n, meanMs: (sums.get(stage) ?? 0) * 1000 / n }))
}

function stats (samples: number[]): Omit<LatencyStats, 'errors'> {
  const sorted = [...samples].sort((x, y) => x - y)
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!
  return { count: sorted.length, p50Ms: q(0.5), p99Ms: q(0.99), meanMs: sorted.reduce((s, x) => s + x, 0) / sorted.length, minMs: sorted[0]! }
}

// ---------------------------------------------------------------- A2A client

export function createClient (baseUrl: string, dispatcher: Agent, token?: string, extraHeaders?: () => Record<string, string>): Promise<Client> {
  // undici's fetch with its own Agent; the SDK only needs a WHATWG-compatible fetch.
  const auth = token != null ? { Authorization: `Bearer ${token}` } : {}
  const fetchImpl = ((input: any, init?: any) => undiciFetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers).entries()), ...auth, ...extraHeaders?.() }, dispatcher })) as unknown as typeof fetch
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    transports: [new JsonRpcTransportFactory({ fetchImpl })],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl })
  }))
  return factory.createFromUrl(baseUrl)
}

export function userMessage (text: string): SendMessageRequest {
  const message: Message = {
    messageId: crypto.randomUUID(),
    contextId: '',
    taskId: '',
    role: Role.ROLE_USER,
    parts: [{ content: { $case: 'text', value: text }, mediaType: 'text/plain', filename: '', metadata: undefined }],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: []
  }
  return { tenant: '', message, configuration: undefined, metadata: undefined }
}

/** One SendMessage; throws unless the reply is the Message `echo: <text>`. */
export async function callEcho (client: Client, text: string, signal: AbortSignal): Promise<void> {
  const reply = await client.sendMessage(userMessage(text), { signal })
  const got = 'messageId' in reply ? reply.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('') : `<a Task: ${JSON.stringify(reply.status)}>`
  if (got !== `echo: ${text}`) throw new Error(`wrong reply to ${JSON.stringify(text)}: ${JSON.stringify(got)}`)
}

// ---------------------------------------------------------------- echo agent

interface EchoAgent { url: string, calls: () => Promise<number>, close: () => Promise<void>, /** Its process, when it has one of its own. */ pid?: number }

/** The test suite's SDK echo agent (test/helpers/agent-process.mjs) in a process of its own, as users run agents. */
export async function startEchoAgentProcess (): Promise<EchoAgent> {
  const script = join(ROOT, 'test', 'helpers', 'agent-process.mjs')
  const child = spawn(process.execPath, [script, '--kind', 'echo', '--name', AGENT], { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => { reject(new Error(`agent process exited with ${code}`)) })
  })
  const { url, port } = JSON.parse(line) as { url: string, port: number }
  return {
    url,
    ...(child.pid != null ? { pid: child.pid } : {}),
    calls: async () => {
      const counts = await (await undiciFetch(`http://127.0.0.1:${port}/count`)).json() as Record<string, number>
      return Object.values(counts).reduce((a, b) => a + b, 0)
    },
    close: async () => {
      if (child.exitCode != null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
}

/** The SDK echo agent on express at `http://127.0.0.1:PORT/echo`; answers with a Message, no task. */
async function startEchoAgent (): Promise<EchoAgent> {
  let calls = 0
  const executor: AgentExecutor = {
    async execute (ctx, bus) {
      calls++
      const text = ctx.userMessage.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('')
      bus.publish(AgentEvent.message({
        messageId: crypto.randomUUID(),
        contextId: ctx.contextId,
        taskId: '',
        role: Role.ROLE_AGENT,
        parts: [{ content: { $case: 'text', value: `echo: ${text}` }, mediaType: 'text/plain', filename: '', metadata: undefined }],
        metadata: undefined,
        extensions: [],
        referenceTaskIds: []
      }))
      bus.finished()
    },
    async cancelTask () {}
  }
  const app = express()
  const server: HttpServer = createHttpServer(app)
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve) })
  const port = (server.address() as { port: number }).port
  const url = `http://127.0.0.1:${port}/${AGENT}`
  const handler = new DefaultRequestHandler(echoCard(AGENT, url), new InMemoryTaskStore(), executor)
  app.use(`/${AGENT}/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: handler }))
  app.use(`/${AGENT}`, jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }))
  return {
    url,
    calls: async () => calls,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function echoCard (name: string, url: string): AgentCard {
  return {
    name,
    description: 'Replies with the text it was sent, prefixed by "echo: ".',
    version: '1.0.0',
    supportedInterfaces: [{ url, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' }],
    provider: undefined,
    capabilities: { streaming: true, pushNotifications: false, extensions: [] },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [],
    signatures: []
  }
}

// ---------------------------------------------------------------- raw TCP

async function startTcpEcho (): Promise<{ port: number, close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: TcpServer = createTcpServer((s) => {
    sockets.add(s)
    s.setNoDelay(true)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => {})
    s.pipe(s)
  })
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve) })
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** The echo server of {@link startTcpEcho}, in a child process of its own (plain node:net, no agentmesh code). */
async function startTcpEchoProcess (): Promise<{ port: number, close: () => Promise<void> }> {
  const script = "const s = require('node:net').createServer((c) => { c.setNoDelay(true); c.on('error', () => {}); c.pipe(c) });" +
    "s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'))"
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    let text = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      if (text.includes('\n')) resolve(Number(text.trim()))
    })
    child.once('exit', (code) => { reject(new Error(`the TCP echo process exited (${code}) before listening`)) })
  })
  return {
    port,
    close: async () => {
      if (child.exitCode != null || child.signalCode != null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill()
      await exited
    }
  }
}

/** Sequential write-`bytes`, read-`bytes`-back round trips on one connection. */
async function tcpRoundTrips (port: number, bytes: number, warmup: number, count: number, timeoutMs: number, signal: AbortSignal): Promise<LatencyStats> {
  const socket = tcpConnect({ port, host: '127.0.0.1', noDelay: true })
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  const payload = Buffer.alloc(bytes, 0x61)
  let pending: { need: number, resolve: () => void } | undefined
  socket.on('data', (chunk: Buffer) => {
    if (pending == null) return
    pending.need -= chunk.length
    if (pending.need <= 0) { const p = pending; pending = undefined; p.resolve() }
  })
  const roundTrip = (): Promise<void> => new Promise<void>((resolve, reject) => {
    pending = { need: bytes, resolve }
    socket.once('error', reject)
    socket.write(payload)
  }).finally(() => { socket.removeAllListeners('error') })
  try {
    return await sequential(roundTrip, warmup, count, timeoutMs, signal)
  } finally {
    socket.destroy()
  }
}

// ---------------------------------------------------------------- daemons

export interface DaemonProc {
  name: string
  home: string
  logFile: string
  peerId: string
  addresses: string[]
  apiSocket: string
  apiTcp: string | null
  /** The `--metrics` listener's address, when it has one. */
  metrics: string | null
  startupMs: number
  proc: ChildProcess
  exited: Promise<void>
}

/**
 * Makes an authority in `root/authority` and, for each named home under
 * `root`, the home and a certificate for the given agents, installed as
 * `agentmesh join` would.
 */
export async function certify (root: string, homes: Record<string, string[]>, bin = BIN): Promise<void> {
  // The homes are made by the build that will run them (its config file must be one it knows).
  const src = pathToFileURL(resolve(dirname(bin), '../dist/src')).href
  const { initHome } = await import(`${src}/home/index.js`) as typeof import('../../src/home/index.js')
  const { initAuthority, issueBundle, installBundle } = await import(`${src}/trust/index.js`) as typeof import('../../src/trust/index.js')
  const { createVerifier } = await import(`${src}/envelope/index.js`) as typeof import('../../src/envelope/index.js')
  const { authority } = await initAuthority(join(root, 'authority'), Date.now())
  for (const [name, agents] of Object.entries(homes)) {
    const home = join(root, name)
    const { peerId, paths } = await initHome(home)
    installBundle(paths.trust, issueBundle(authority, { peer: peerId, agents, now: Date.now() }).bundle, peerId, createVerifier(), Date.now())
  }
}

/** `agentmesh daemon --json` on loopback with mDNS off; its stderr goes to `<home>.log`. */
export async function startDaemon (home: string, extra: string[], signal: AbortSignal, nodeFlags: string[] = [], bin = BIN, timeoutMs = 30_000): Promise<DaemonProc> {
  mkdirSync(home, { mode: 0o700, recursive: true })
  const logFile = `${home}.log`
  const logFd = openSync(logFile, 'a')
  const args = [...nodeFlags, bin, 'daemon', '--json', '--home', home, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', ...extra]
  let proc: ChildProcess
  try {
    proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', logFd] })
  } finally {
    closeSync(logFd)
  }
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  const lines = createInterface({ input: proc.stdout! })
  try {
    const ready = await new Promise<any>((resolve, reject) => {
      const fail = (why: string): void => { clearTimeout(timer); reject(new Error(`daemon in ${home} ${why}; log:\n${tail(logFile)}`)) }
      const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs)
      signal.addEventListener('abort', () => fail('aborted'), { once: true })
      lines.on('line', (line) => {
        try {
          const msg = JSON.parse(line)
          if (msg.event === 'ready') { clearTimeout(timer); resolve(msg) }
        } catch {}
      })
      proc.once('exit', (code, sig) => fail(`exited (${code ?? sig}) before it was ready`))
    })
    lines.close()
    proc.stdout!.resume()
    return {
      name: home.endsWith('a') ? 'A' : 'B',
      home,
      logFile,
      peerId: String(ready.peerId),
      addresses: (ready.addresses as unknown[]).map(String),
      apiSocket: String(ready.apiSocket ?? join(home, 'api.sock')),
      apiTcp: ready.apiTcp == null ? null : String(ready.apiTcp),
      metrics: ready.metrics == null ? null : String(ready.metrics),
      startupMs: Number(ready.startupMs),
      proc,
      exited
    }
  } catch (err) {
    proc.kill('SIGKILL')
    await exited
    throw err
  }
}

/** SIGTERM, then SIGKILL after 5 s. */
export async function stopDaemon (d: DaemonProc): Promise<void> {
  if (d.proc.exitCode != null || d.proc.signalCode != null) return
  d.proc.kill('SIGTERM')
  const timer = setTimeout(() => d.proc.kill('SIGKILL'), 5000)
  await d.exited
  clearTimeout(timer)
}

/** B's loopback listen address for A's `--bootstrap`; the ready line's addresses end in /p2p/<peer>. */
export function pickAddress (d: DaemonProc): string {
  const a = d.addresses.find((x) => x.startsWith('/ip4/127.0.0.1/tcp/')) ?? d.addresses[0]
  if (a == null) throw new Error('daemon reported no listen address')
  return a.includes('/p2p/') ? a : `${a}/p2p/${d.peerId}`
}

export function tail (file: string, lines = 30): string {
  try { return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') } catch { return '(no log)' }
}

/** One JSON request on a Unix-socket HTTP API (10 s timeout). */
export function apiCall (socketPath: string, method: string, path: string, body?: unknown): Promise<{ status: number, body: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath, method, path, timeout: 10_000, headers: payload === undefined ? {} : { 'Content-Type': 'application/json' } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { text += d })
      res.on('end', () => {
        let parsed: any = text
        try { parsed = JSON.parse(text) } catch {}
        resolve({ status: res.statusCode ?? 0, body: parsed })
      })
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)))
    req.on('error', reject)
    req.end(payload)
  })
}

export async function waitFor (check: () => Promise<boolean>, what: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    signal.throwIfAborted()
    try { if (await check()) return } catch (err) { last = err }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last != null ? `: ${String(last)}` : ''}`)
}

// ---------------------------------------------------------------- output

/** Markdown tables: absolute figures, and added latency / ratios against the direct call measured in the same run. */
export function formatA2ATable (r: A2ABenchResult): string {
  const ms = (x: number): string => x.toFixed(3)
  const base = r.paths[0]!
  const diff = (x: number, b: number): string => `${x >= b ? '+' : '−'}${ms(Math.abs(x - b))} ms`
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  const out: string[] = []
  const latencyHeader = ['path (one caller, interleaved)', 'p50 ms', 'p99 ms', 'added p50', 'added p99', 'n', 'errors']
  out.push(line(latencyHeader), line(latencyHeader.map((_, i) => (i === 0 ? '---' : '---:'))))
  for (const p of [r.tcp, r.tcpHop, r.ping, ...r.paths]) {
    const l = p.latency
    const plain = p === base || p === r.tcp || p === r.tcpHop || p === r.ping
    const cold = r.paths.includes(p as PathResult) && base.warmLatency != null ? ', cold' : ''
    out.push(line([p.name + cold, ms(l.p50Ms), ms(l.p99Ms), plain ? '—' : diff(l.p50Ms, base.latency.p50Ms), plain ? '—' : diff(l.p99Ms, base.latency.p99Ms), String(l.count), String(l.errors)]))
  }
  const baseWarm = base.warmLatency
  if (baseWarm != null) {
    for (const p of r.paths) {
      const l = p.warmLatency
      if (l == null) continue
      out.push(line([`${p.name}, warm`, ms(l.p50Ms), ms(l.p99Ms), p === base ? '—' : diff(l.p50Ms, baseWarm.p50Ms), p === base ? '—' : diff(l.p99Ms, baseWarm.p99Ms), String(l.count), String(l.errors)]))
    }
  }
  out.push('')
  const conc = base.throughput.map((t) => t.concurrency)
  const tputHeader = ['path', ...conc.flatMap((c) => [`tasks/s @${c}`, `vs direct @${c}`, `daemon CPU ms/task @${c}`])]
  out.push(line(tputHeader), line(tputHeader.map((_, i) => (i === 0 ? '---' : '---:'))))
  for (const p of r.paths) {
    out.push(line([p.name, ...p.throughput.flatMap((t, i) => {
      const b = base.throughput[i]!
      return [Math.round(t.tasksPerSec).toLocaleString('en-US'), p === base ? '—' : `${(t.tasksPerSec / b.tasksPerSec).toFixed(2)}×`, p === base ? '—' : t.daemonCpuMsPerTask.toFixed(2)]
    })]))
  }
  const top = conc.length - 1
  if (top >= 0) {
    out.push('', `CPU during the ${conc[top]}-caller windows (ms per task; machine busy = share of all ${r.cpus} CPUs' time, near 100 % when the machine is the limit):`, '',
      line(['path', 'daemons', 'agent', 'bench client', 'machine busy']), line(['---', '---:', '---:', '---:', '---:']))
    for (const p of r.paths) {
      const t = p.throughput[top]!
      out.push(line([p.name, p === base ? '—' : t.daemonCpuMsPerTask.toFixed(2), t.agentCpuMsPerTask.toFixed(2), t.clientCpuMsPerTask.toFixed(2), `${(100 * t.machineBusy).toFixed(0)} %`]))
    }
  }
  if (r.stages.length > 0) {
    out.push('', `Stages of one task, one caller (mean over the ${base.warmLatency != null ? 'warm' : 'interleaved'} series, both mesh paths):`, '', line(['daemon', 'stage', 'mean ms', 'count']), line(['---', '---', '---:', '---:']))
    for (const s of r.stages) out.push(line([s.daemon, s.stage, s.meanMs.toFixed(3), String(s.count)]))
    for (const d of ['A', 'B'] as const) out.push(line([d, '**total**', r.stages.filter((s) => s.daemon === d && s.stage !== 'remote').reduce((t, s) => t + s.meanMs, 0).toFixed(3), '']))
  }
  const s = r.setup
  out.push('',
    `Node ${r.node}, ${r.cpus} CPUs; the agent runs in its own process. One caller: the paths take turns call by call; "cold" right after start-up, "warm" after a few thousand tasks per path (V8 has optimized the hot code by then, as in a long-running daemon); throughput is measured warm. Throughput: ${conc.join(', ')} callers, ` +
      'rounds of one window per path in rotating order; daemon CPU is the user + system time of both daemons (from /proc) during that path\'s windows, per task.',
    `Setup: daemon ready B ${s.daemonStartupMs.b} ms / A ${s.daemonStartupMs.a} ms; A connected to B in ${s.connectMs.toFixed(0)} ms; ` +
      `POST /v1/agents ${s.registerMs.toFixed(0)} ms; directory ${s.directoryMs == null ? 'did not list B within 5 s' : `listed B after ${s.directoryMs.toFixed(0)} ms`}; ` +
      `card + first call through the mesh ${s.firstMeshCallMs.toFixed(0)} ms.`,
    `A cross-process round trip costs ${ms(r.tcpHop.latency.p50Ms)} ms at p50 here: the direct call makes one, a call through A → B three, ` +
      `so ${ms(2 * r.tcpHop.latency.p50Ms)} ms of the added p50 is the two extra round trips between processes before any daemon work.`,
    `Agent executions during the measured calls: ${s.agentCalls} for ${s.clientCalls} client calls${s.agentCalls === s.clientCalls ? ' (exactly once each)' : ' (MISMATCH)'}.`)
  return out.join('\n')
}

if (process.argv[1] != null && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchCli(process.argv.slice(2), {}, 'usage: node dist/test/bench/a2a.js   (more options: npm run bench -- a2a --help)\nA2A round trips and throughput through two daemons, against the same SDK client straight to the agent over HTTP.\n  -h, --help              this text', () => undefined)
  const result = await benchA2A()
  process.stdout.write(formatA2ATable(result) + '\n')
}
