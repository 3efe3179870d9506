/**
 * What telemetry costs on the task path: tasks/s through two daemons with
 * tracing and metrics off, and with them on, measured in the same run.
 *
 * One run starts, all on loopback:
 * - the SDK echo agent in its own process (test/helpers/agent-process.mjs);
 * - the stand-in OTLP/HTTP collector (test/helpers/otlp-collector.ts) in a
 *   process of its own (as a real collector would be: parsing every span in
 *   the callers' process would slow the callers, not the daemons). It counts
 *   the spans by walking the protobuf framing rather than building an object
 *   per span: building them cost ≈ 0.1 ms of CPU per task, as much as the
 *   daemons' tracing, taken from the same two cores. Its CPU per task is
 *   reported beside the daemons', with the callers' and the agent's;
 * - two closed-mesh daemon pairs, each a caller's daemon A bootstrapped to
 *   daemon B, which hosts the agent (`echo:orchestrator` certificate):
 *   - "off": the defaults: no trace endpoint, no `--metrics` listener;
 *   - "on": `--trace-endpoint <collector>` and `--metrics 127.0.0.1:0` on both
 *     daemons, every task traced (the clients send no traceparent, so each task
 *     is the root of a sampled trace), and both `/metrics` listeners scraped
 *     once a second while the pair is being measured.
 *
 * For each number of concurrent callers it alternates windows of the two
 * pairs (off, on, then on, off, …), so that machine noise and CPU contention
 * hit both alike, and reports tasks/s of each, the ratio on/off (summed over
 * all windows, plus its spread over rounds) and the daemons' CPU per task.
 * Every reply is checked.
 *
 * Two pairs are two sets of processes, and on this machine two identical pairs
 * measured up to ±6 % apart in throughput and ±12 % in CPU per task (`--on
 * none`), more than the effect sought. So the bench starts both pairs anew
 * several times (generations: new homes, keys and processes) and sums the
 * windows of all of them. And when the "on" pair traces, the bench
 * also measures that one pair against itself: windows in which the callers
 * send a sampled W3C traceparent (every task traced and exported, metrics
 * scraped) alternate with windows in which it says "not sampled" (the daemons
 * record nothing and export nothing; no scrapes). Same processes, same JIT
 * state, same memory layout: only the recording and exporting differ.
 *
 * The client code and the daemon, agent and window helpers are
 * test/bench/a2a.ts's (SDK ClientFactory over undici on A's Unix socket).
 *
 * Run with `npm run bench -- telemetry` or `node dist/test/bench/telemetry.js
 * [--short] [--json] [--bin PATH/bin/agentmesh.js] [--on all|tracing|metrics|none]
 * [--concurrency 8,32] [--generations 3] [--rounds 4] [--warm-tasks 10000] [--scrape-interval 1000]` (`--help` lists them; `--bin`: another build's daemons; `--on`:
 * what the "on" pair gets, to split the cost, `none` measuring the bench's own noise between two
 * identical pairs). The "on" daemons export in their default encoding (OTLP protobuf); set
 * OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json in the bench's environment to measure JSON.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { Agent, fetch as undiciFetch } from 'undici'
import type { Client } from '@a2a-js/sdk/client'
import { benchCli, BenchUsageError, numberFlag } from './args.js'
import { apiCall, callEcho, certify, concurrentWindow, cpuMs, createClient, pickAddress, startDaemon, startEchoAgentProcess, stopDaemon, tail, waitFor, type DaemonProc } from './a2a.js'
// The collector runs in a child process (startCollectorProcess); this import keeps it compiled into dist/test/helpers.
import type { startOtlpCollector as _collector } from '../helpers/otlp-collector.js'

/** Options of {@link benchTelemetry}. */
export interface BenchTelemetryOptions {
  /** A small version (the test and `--short` run it). Default false. */
  short?: boolean
  /** Concurrent callers. Default [8, 32] (short: [8]). */
  concurrency?: number[]
  /** One measuring window per pair and round (ms). Default 2000 (short: 400). */
  windowMs?: number
  /**
   * Generations: each starts both pairs anew (new homes, keys, processes) and measures them for
   * `rounds` rounds. Two sets of processes differ by several per cent whatever they run (see the
   * module comment), so the on/off ratio is summed over generations. Default 3 (short: 1).
   */
  generations?: number
  /** Rounds per generation; each measures both pairs once, alternating which goes first. Default 4 (short: 2). */
  rounds?: number
  /**
   * Tasks sent through each pair (8 callers) before anything is measured. V8 optimizes a function
   * only after thousands of calls: a daemon's CPU per task falls by half over its first ≈ 5,000
   * tasks (README, "Cold and warm daemons"), and the "on" pair has more code to warm up, so cold
   * windows measure warm-up as much as telemetry. Measured with `--verbose` (2026-12-01): after
   * 4,000 tasks the "on" pair's CPU per task still fell by 30 % over the next 6,000 (3.38 → 2.37 ms),
   * the "off" pair's by 25 %, so the first rounds measured the "on" pair colder. Default 10000 (short: 100).
   */
  warmTasks?: number
  /**
   * How often the "on" pair's `/metrics` are scraped while it is measured (ms). Default 1000;
   * 0: never (the listener is there, nobody scrapes it).
   */
  scrapeIntervalMs?: number
  /** The CLI the daemons run. Default this repository's bin/agentmesh.js. */
  bin?: string
  /**
   * What the "on" pair gets, to split the cost: `all` (default: a trace endpoint and a scraped
   * metrics listener), `tracing`, `metrics`, or `none` (both pairs alike: the bench's own noise).
   */
  on?: 'all' | 'tracing' | 'metrics' | 'none'
  /** Progress lines go here (default stderr). */
  progress?: (line: string) => void
  /** A progress line per measured window (rate and daemon CPU per task), to see drift and noise. Default false. */
  verbose?: boolean
}

/** One pair's figures at one concurrency, summed over its windows. */
export interface TelemetrySide {
  tasks: number
  elapsedMs: number
  tasksPerSec: number
  errors: number
  /** CPU time (user + system) of both daemons per completed task (ms). */
  daemonCpuMsPerTask: number
  /**
   * CPU per completed task (ms) of the other processes sharing the machine's cores: the stand-in
   * OTLP collector, the bench's own process (the callers and the scraper) and the agent's process.
   * On two cores every process competes for the same CPU, so a side's tasks/s falls with all of it.
   */
  otherCpuMsPerTask: { collector: number, callers: number, agent: number }
}

/** Off and on at one concurrency. */
export interface TelemetryFigure {
  concurrency: number
  off: TelemetrySide
  on: TelemetrySide
  /** on tasks/s ÷ off tasks/s over all windows. */
  ratio: number
  /** The same ratio round by round (each round has one window of each). */
  roundRatios: number[]
  /** The same ratio generation by generation (each generation is a new set of processes). */
  generationRatios: number[]
}

/** One pair against itself: its callers' tasks sampled (traced, exported, metrics scraped) or not. */
export interface SamePairFigure {
  concurrency: number
  unsampled: TelemetrySide
  sampled: TelemetrySide
  /** sampled tasks/s ÷ unsampled tasks/s over all windows. */
  ratio: number
  roundRatios: number[]
  generationRatios: number[]
}

/** Everything {@link benchTelemetry} measured. */
export interface TelemetryResult {
  node: string
  cpus: number
  settings: Record<string, unknown>
  figures: TelemetryFigure[]
  /** The "on" pair against itself (when it traces, or with `--on metrics` scraped vs not): see the module comment. */
  samePair: SamePairFigure[]
  /** Spans the collector received from the "on" pair during the whole run. */
  spansExported: number
  /** `/metrics` scrapes of the "on" pair, and their mean size. */
  scrapes: number
  scrapeBytesMean: number
  /** Tasks the agent executed vs the callers' successful calls (they must match). */
  agentCalls: number
  clientCalls: number
}

const AGENT = 'echo'

/** What one measured window (or a sum of windows) saw. */
interface Window { tasks: number, elapsedMs: number, errors: number, cpuMs: number, collectorCpuMs: number, callersCpuMs: number, agentCpuMs: number }
/** Both sides' windows summed over every generation, and their rate ratios per round and per generation. */
interface Accumulated { sums: [Window, Window], roundRatios: number[], generationRatios: number[] }

function emptyWindow (): Window {
  return { tasks: 0, elapsedMs: 0, errors: 0, cpuMs: 0, collectorCpuMs: 0, callersCpuMs: 0, agentCpuMs: 0 }
}

function newAccumulated (): Accumulated {
  return { sums: [emptyWindow(), emptyWindow()], roundRatios: [], generationRatios: [] }
}

function addWindow (into: Window, w: Window): void {
  into.tasks += w.tasks
  into.elapsedMs += w.elapsedMs
  into.errors += w.errors
  into.cpuMs += w.cpuMs
  into.collectorCpuMs += w.collectorCpuMs
  into.callersCpuMs += w.callersCpuMs
  into.agentCpuMs += w.agentCpuMs
}

/** Tasks per second over a window or a sum of windows. */
function rateOf (w: Window): number {
  return w.tasks / (w.elapsedMs / 1000)
}

function side (w: Window): TelemetrySide {
  const per = (ms: number): number => w.tasks > 0 ? ms / w.tasks : 0
  return {
    tasks: w.tasks, elapsedMs: w.elapsedMs, tasksPerSec: rateOf(w), errors: w.errors, daemonCpuMsPerTask: per(w.cpuMs),
    otherCpuMsPerTask: { collector: per(w.collectorCpuMs), callers: per(w.callersCpuMs), agent: per(w.agentCpuMs) }
  }
}

/** A side's other processes' CPU per task: collector / callers / agent (ms). */
function others (s: TelemetrySide): string {
  const o = s.otherCpuMsPerTask
  return `${o.collector.toFixed(2)} / ${o.callers.toFixed(2)} / ${o.agent.toFixed(2)}`
}

/** `min–max` of some ratios, to two places. */
function spread (ratios: number[]): string {
  return `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`
}

/** Runs the telemetry on/off bench. */
export async function benchTelemetry (options: BenchTelemetryOptions = {}): Promise<TelemetryResult> {
  const short = options.short ?? false
  const o = {
    concurrency: options.concurrency ?? (short ? [8] : [8, 32]),
    windowMs: options.windowMs ?? (short ? 400 : 2000),
    generations: options.generations ?? (short ? 1 : 3),
    rounds: options.rounds ?? (short ? 2 : 4),
    warmTasks: options.warmTasks ?? (short ? 100 : 10_000),
    scrapeIntervalMs: options.scrapeIntervalMs ?? 1000,
    bin: options.bin ?? findBin(),
    on: options.on ?? 'all',
    progress: options.progress ?? ((line: string) => { process.stderr.write(`[telemetry bench] ${line}\n`) })
  }
  const root = mkdtempSync(join(tmpdir(), 'amt-'))
  const abort = new AbortController()
  const watchdog = setTimeout(() => abort.abort(new Error('telemetry bench exceeded 10 minutes')), 600_000)
  const daemons: DaemonProc[] = []
  const closers: Array<() => Promise<void>> = []
  const onExit = (): void => {
    for (const d of daemons) if (d.proc.exitCode == null && d.proc.signalCode == null) d.proc.kill('SIGKILL')
    rmSync(root, { recursive: true, force: true })
  }
  process.once('exit', onExit)
  try {
    const agent = await startEchoAgentProcess()
    closers.push(agent.close)
    const collector = await startCollectorProcess()
    closers.push(collector.close)
    const telemetry = [
      ...(o.on === 'all' || o.on === 'tracing' ? ['--trace-endpoint', collector.url] : []),
      ...(o.on === 'all' || o.on === 'metrics' ? ['--metrics', '127.0.0.1:0'] : [])
    ]
    const scraped = o.on === 'all' || o.on === 'metrics'
    const traced = o.on === 'all' || o.on === 'tracing'
    /** Generation `g`'s two pairs: new homes, certificates, processes and clients. */
    const startPairs = async (g: number): Promise<Pair[]> => {
      const dir = join(root, `g${g}`)
      await certify(dir, { 'off-a': [], 'off-b': [`${AGENT}:orchestrator`], 'on-a': [], 'on-b': [`${AGENT}:orchestrator`] }, o.bin)
      const pairs: Pair[] = []
      for (const [name, extra] of [['off', []], ['on', telemetry]] as Array<['off' | 'on', string[]]>) {
        const b = await startDaemon(join(dir, `${name}-b`), extra, abort.signal, [], o.bin)
        daemons.push(b)
        const a = await startDaemon(join(dir, `${name}-a`), [...extra, '--bootstrap', pickAddress(b)], abort.signal, [], o.bin)
        daemons.push(a)
        await waitFor(async () => {
          const r = await apiCall(a.apiSocket, 'GET', '/v1/peers')
          return r.status === 200 && Array.isArray(r.body?.peers) && r.body.peers.some((p: any) => p.peer === b.peerId)
        }, `${name}: A to connect to B`, 15_000, abort.signal)
        const reg = await apiCall(b.apiSocket, 'POST', '/v1/agents', { name: AGENT, url: agent.url })
        if (reg.status !== 201) throw new Error(`${name}: POST /v1/agents on B answered ${reg.status}: ${JSON.stringify(reg.body)}`)
        const dispatcher = new Agent({ connect: { socketPath: a.apiSocket } })
        closers.push(async () => { await dispatcher.close() })
        const url = `http://localhost/a2a/${AGENT}@${b.peerId}/`
        const client = await createClient(url, dispatcher)
        const sampled = await createClient(url, dispatcher, undefined, () => traceparent(true))
        const unsampled = await createClient(url, dispatcher, undefined, () => traceparent(false))
        await callEcho(client, `first ${name}`, abort.signal)
        clientCalls++
        pairs.push({ name, a, b, client, sampled, unsampled })
        o.progress(`generation ${g + 1}/${o.generations}, ${name}: daemons up (A ${a.startupMs} ms, B ${b.startupMs} ms)${name === 'on' ? `, metrics on ${a.metrics} and ${b.metrics}, traces to ${collector.url}` : ''}`)
      }
      if (scraped && (pairs[1]!.a.metrics == null || pairs[1]!.b.metrics == null)) throw new Error('the "on" daemons did not report a metrics listener')
      return pairs
    }

    let scrapes = 0
    let scrapeBytes = 0
    const scrape = async (p: Pair): Promise<void> => {
      await Promise.all([p.a.metrics!, p.b.metrics!].map(async (hostPort) => {
        const r = await undiciFetch(`http://${hostPort}/metrics`, { signal: abort.signal })
        const text = await r.text()
        if (r.status !== 200 || !text.includes('agentmesh_')) throw new Error(`scrape of ${hostPort} answered ${r.status}`)
        scrapes++
        scrapeBytes += text.length
      }))
    }

    /** CPU so far (ms) of the collector, this process (callers and scraper) and the agent. */
    const otherCpu = (): { collector: number, callers: number, agent: number } => {
      const own = process.cpuUsage()
      return { collector: cpuMs(collector.pid), callers: (own.user + own.system) / 1000, agent: agent.pid != null ? cpuMs(agent.pid) : 0 }
    }
    const callsBefore = await agent.calls()
    let clientCalls = 0
    const call = async (p: Pair, text: string, client: Client = p.client): Promise<void> => { await callEcho(client, text, abort.signal); clientCalls++ }
    /** One measured window of `client`'s calls through `p`, scraping its metrics meanwhile if `scraped` (and the interval is not 0); tasks, time, errors and both daemons' CPU. */
    const measure = async (p: Pair, c: number, label: string, client: Client, scraped: boolean): Promise<Window> => {
      const scrapeIt = scraped && o.scrapeIntervalMs > 0
      let scraping: Promise<void> = Promise.resolve()
      const timer = scrapeIt ? setInterval(() => { scraping = scraping.then(async () => { await scrape(p) }) }, o.scrapeIntervalMs) : undefined
      if (scrapeIt) scraping = scrape(p)
      const cpu0 = cpuMs(p.a.proc.pid!) + cpuMs(p.b.proc.pid!)
      const others0 = otherCpu()
      const w = await concurrentWindow((n) => call(p, `${label} ${n}`, client), c, o.windowMs, abort.signal)
      const cpu1 = cpuMs(p.a.proc.pid!) + cpuMs(p.b.proc.pid!)
      const others1 = otherCpu()
      if (timer != null) clearInterval(timer)
      await scraping
      return {
        tasks: w.tasks, elapsedMs: w.elapsedMs, errors: w.errors, cpuMs: cpu1 - cpu0,
        collectorCpuMs: others1.collector - others0.collector, callersCpuMs: others1.callers - others0.callers, agentCpuMs: others1.agent - others0.agent
      }
    }
    /**
     * `o.rounds` rounds of one window of each side (0 then 1, then 1 then 0, …), added to `acc`:
     * both sides' sums, side 1's rate over side 0's round by round, and over the whole generation.
     */
    const alternate = async (acc: Accumulated, window: (side: 0 | 1, round: number) => Promise<Window>): Promise<void> => {
      const generation = [emptyWindow(), emptyWindow()]
      for (let r = 0; r < o.rounds; r++) {
        const rate = [0, 0]
        for (const i of r % 2 === 0 ? [0, 1] as const : [1, 0] as const) {
          const w = await window(i, r)
          if (options.verbose === true) o.progress(`  round ${r} ${i === 1 ? 'on ' : 'off'}: ${rateOf(w).toFixed(0)} tasks/s, daemon CPU ${(w.cpuMs / w.tasks).toFixed(3)} ms per task`)
          addWindow(acc.sums[i], w)
          addWindow(generation[i]!, w)
          rate[i] = w.tasks / (w.elapsedMs / 1000)
        }
        acc.roundRatios.push(rate[1]! / rate[0]!)
      }
      acc.generationRatios.push(rateOf(generation[1]!) / rateOf(generation[0]!))
    }
    const twoPairs = new Map(o.concurrency.map((c) => [c, newAccumulated()]))
    const onePair = new Map(o.concurrency.map((c) => [c, newAccumulated()]))
    for (let g = 0; g < o.generations; g++) {
      const pairs = await startPairs(g)
      const on = pairs[1]!
      if (o.warmTasks > 0) {
        const t = performance.now()
        for (const p of pairs) {
          let sent = 0
          while (sent < o.warmTasks) sent += (await concurrentWindow((n) => call(p, `warm-up ${n}`), 8, 1000, abort.signal)).tasks
        }
        o.progress(`generation ${g + 1}: warmed up, ${o.warmTasks} tasks per pair in ${((performance.now() - t) / 1000).toFixed(1)} s`)
      }
      for (const c of o.concurrency) {
        for (const p of pairs) await concurrentWindow((n) => call(p, `warm ${n}`), c, short ? 200 : 1000, abort.signal)
        // The "on" pair is scraped as Prometheus would, from the start of its window.
        const acc = twoPairs.get(c)!
        await alternate(acc, (i, r) => measure(pairs[i]!, c, `g${g} c${c} r${r} ${pairs[i]!.name}`, pairs[i]!.client, pairs[i] === on && scraped))
        o.progress(`generation ${g + 1}, ${c} callers: on/off ${acc.generationRatios.at(-1)!.toFixed(3)}`)
      }
      if (traced || scraped) {
        // Tracing: callers' tasks sampled or not (scraped only when sampled); metrics alone: scraped or not.
        const clients = traced ? [on.unsampled, on.sampled] : [on.client, on.client]
        for (const c of o.concurrency) {
          const acc = onePair.get(c)!
          await alternate(acc, (i, r) => measure(on, c, `g${g} same c${c} r${r} ${i === 1 ? 'sampled' : 'unsampled'}`, clients[i]!, i === 1 && scraped))
          o.progress(`generation ${g + 1}, ${c} callers, one pair: sampled/unsampled ${acc.generationRatios.at(-1)!.toFixed(3)}`)
        }
      }
      for (const d of pairs.flatMap((p) => [p.a, p.b])) if (d.proc.exitCode != null || d.proc.signalCode != null) throw new Error(`daemon ${d.home} died during the bench:\n${tail(d.logFile)}`)
      // The last generation's daemons stay up until the spans are counted (finally stops them).
      if (g < o.generations - 1) {
        const stopping = pairs.flatMap((p) => [p.a, p.b])
        await Promise.all(stopping.map(stopDaemon))
        daemons.splice(0, daemons.length, ...daemons.filter((d) => !stopping.includes(d)))
      }
    }
    const figures: TelemetryFigure[] = o.concurrency.map((c) => {
      const acc = twoPairs.get(c)!
      const fig: TelemetryFigure = { concurrency: c, off: side(acc.sums[0]), on: side(acc.sums[1]), ratio: 0, roundRatios: acc.roundRatios, generationRatios: acc.generationRatios }
      fig.ratio = fig.on.tasksPerSec / fig.off.tasksPerSec
      o.progress(`${c} callers: off ${fig.off.tasksPerSec.toFixed(0)} tasks/s, on ${fig.on.tasksPerSec.toFixed(0)} tasks/s, on/off ${fig.ratio.toFixed(3)} (generations ${spread(fig.generationRatios)}, rounds ${spread(fig.roundRatios)}); daemon CPU ${fig.off.daemonCpuMsPerTask.toFixed(2)} / ${fig.on.daemonCpuMsPerTask.toFixed(2)} ms per task; collector / callers / agent ${others(fig.off)} → ${others(fig.on)} ms`)
      return fig
    })
    const samePair: SamePairFigure[] = !traced && !scraped
      ? []
      : o.concurrency.map((c) => {
        const acc = onePair.get(c)!
        const fig: SamePairFigure = { concurrency: c, unsampled: side(acc.sums[0]), sampled: side(acc.sums[1]), ratio: 0, roundRatios: acc.roundRatios, generationRatios: acc.generationRatios }
        fig.ratio = fig.sampled.tasksPerSec / fig.unsampled.tasksPerSec
        o.progress(`${c} callers, one pair: unsampled ${fig.unsampled.tasksPerSec.toFixed(0)} tasks/s, sampled ${fig.sampled.tasksPerSec.toFixed(0)} tasks/s, ratio ${fig.ratio.toFixed(3)} (generations ${spread(fig.generationRatios)}, rounds ${spread(fig.roundRatios)}); daemon CPU ${fig.unsampled.daemonCpuMsPerTask.toFixed(2)} / ${fig.sampled.daemonCpuMsPerTask.toFixed(2)} ms per task; collector / callers / agent ${others(fig.unsampled)} → ${others(fig.sampled)} ms`)
        return fig
      })
    const agentCalls = await agent.calls() - callsBefore
    // Let the last batch of spans go out (the batch processor exports every 5 s), then count them.
    if (traced) await waitFor(async () => await collector.count() > 0, 'the first exported spans', 10_000, abort.signal).catch(() => {})
    for (const d of daemons) if (d.proc.exitCode != null || d.proc.signalCode != null) throw new Error(`daemon ${d.home} died during the bench:\n${tail(d.logFile)}`)
    return {
      node: process.version,
      cpus: cpus().length,
      settings: { concurrency: o.concurrency, windowMs: o.windowMs, generations: o.generations, rounds: o.rounds, warmTasks: o.warmTasks, protocol: process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf', scrapeIntervalMs: o.scrapeIntervalMs, bin: o.bin, on: o.on },
      figures,
      samePair,
      spansExported: await collector.count(),
      scrapes,
      scrapeBytesMean: scrapes > 0 ? scrapeBytes / scrapes : 0,
      agentCalls,
      clientCalls
    }
  } catch (err) {
    for (const d of daemons) process.stderr.write(`--- daemon ${d.home} log (tail) ---\n${tail(d.logFile)}\n`)
    throw err
  } finally {
    clearTimeout(watchdog)
    // Daemons first: the "on" ones export their last spans as they stop, to a collector still listening.
    await Promise.all(daemons.map(stopDaemon))
    for (const close of closers.reverse()) await close().catch(() => {})
    rmSync(root, { recursive: true, force: true })
    process.off('exit', onExit)
  }
}

/** A markdown table: tasks/s off and on, the ratio and its spread, CPU per task. */
export function formatTelemetryTable (r: TelemetryResult): string {
  const header = ['callers', 'off (tasks/s)', 'on (tasks/s)', 'on / off', 'per generation', 'per round', 'daemon CPU per task off / on', 'collector / callers / agent CPU per task, off → on', 'target']
  const rows = r.figures.map((f) => [
    String(f.concurrency), f.off.tasksPerSec.toFixed(0), f.on.tasksPerSec.toFixed(0), `${f.ratio.toFixed(3)}×`,
    spread(f.generationRatios), spread(f.roundRatios),
    `${f.off.daemonCpuMsPerTask.toFixed(2)} / ${f.on.daemonCpuMsPerTask.toFixed(2)} ms`,
    `${others(f.off)} → ${others(f.on)} ms`,
    `≥ 0.90× ${f.ratio >= 0.9 ? 'met' : 'NOT met'}`
  ])
  const same = r.samePair.length === 0
    ? []
    : [
        '',
        r.settings.on === 'metrics'
          ? 'The "on" pair against itself (its `/metrics` scraped vs not scraped; "sampled" = scraped):'
          : 'The "on" pair against itself (callers\' traceparent sampled vs not sampled; scraped only when sampled):',
        '',
        '| callers | not sampled (tasks/s) | sampled (tasks/s) | sampled / not | per generation | per round | daemon CPU per task not / sampled | collector / callers / agent CPU per task, not → sampled | target |',
        '|---|---|---|---|---|---|---|---|---|',
        ...r.samePair.map((f) => `| ${f.concurrency} | ${f.unsampled.tasksPerSec.toFixed(0)} | ${f.sampled.tasksPerSec.toFixed(0)} | ${f.ratio.toFixed(3)}× | ${spread(f.generationRatios)} | ${spread(f.roundRatios)} | ${f.unsampled.daemonCpuMsPerTask.toFixed(2)} / ${f.sampled.daemonCpuMsPerTask.toFixed(2)} ms | ${others(f.unsampled)} → ${others(f.sampled)} ms | ≥ 0.90× ${f.ratio >= 0.9 ? 'met' : 'NOT met'} |`)
      ]
  return [
    `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`),
    ...same,
    '',
    `on (${String(r.settings.on)}): ${r.settings.on === 'all' || r.settings.on === 'tracing' ? `every task traced to the OTLP collector (${r.spansExported} spans received)` : 'no tracing'}, ${r.settings.on === 'all' || r.settings.on === 'metrics' ? `/metrics ${r.settings.scrapeIntervalMs === 0 ? 'listening, never scraped' : `scraped every ${String(r.settings.scrapeIntervalMs)} ms while measured`} (${r.scrapes} scrapes, ${(r.scrapeBytesMean / 1024).toFixed(1)} KiB each)` : 'no metrics listener'}; off: neither. Agent executions ${r.agentCalls}, successful calls ${r.clientCalls}.`
  ].join('\n')
}

// ---------------------------------------------------------------- copied from a2a.ts (not exported there)


interface Pair { name: 'off' | 'on', a: DaemonProc, b: DaemonProc, client: Client, sampled: Client, unsampled: Client }

/** A W3C traceparent with a new trace id, sampled (flags 01) or not (00). */
function traceparent (sampled: boolean): Record<string, string> {
  return { traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-${sampled ? '01' : '00'}` }
}

/**
 * test/helpers/otlp-collector.ts in a child process, counting spans (`count: true`): its traces
 * URL, its process ID (its CPU is reported) and how many spans it has received so far.
 */
async function startCollectorProcess (): Promise<{ url: string, pid: number, count: () => Promise<number>, close: () => Promise<void> }> {
  // Compiled next to this file's own build (dist/test/bench → dist/test/helpers); from test/bench (vitest), the dist copy.
  const compiled = [join(import.meta.dirname, '..', 'helpers', 'otlp-collector.js'), join(import.meta.dirname, '..', '..', 'dist', 'test', 'helpers', 'otlp-collector.js')].find((f) => existsSync(f))
  if (compiled == null) throw new Error('dist/test/helpers/otlp-collector.js not found: run npm run build')
  const helper = pathToFileURL(compiled).href
  const script = `
    const { startOtlpCollector } = await import(${JSON.stringify(helper)})
    const c = await startOtlpCollector({ count: true })
    process.stdout.write(JSON.stringify({ url: c.url }) + '\\n')
    process.stdin.setEncoding('utf8')
    process.stdin.on('data', () => { process.stdout.write(JSON.stringify({ spans: c.received() }) + '\\n') })
    process.stdin.on('end', () => { void c.close(); process.exit(0) })
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout! })
  const replies: Array<(line: string) => void> = []
  const first = new Promise<string>((resolve, reject) => {
    replies.push(resolve)
    child.once('exit', (code) => { reject(new Error(`collector process exited with ${code}`)) })
  })
  lines.on('line', (line) => { replies.shift()?.(line) })
  const { url } = JSON.parse(await first) as { url: string }
  return {
    url,
    pid: child.pid!,
    count: async () => {
      const reply = new Promise<string>((resolve) => replies.push(resolve))
      child.stdin!.write('count\n')
      return (JSON.parse(await reply) as { spans: number }).spans
    },
    close: async () => {
      if (child.exitCode != null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.stdin!.end()
      await exited
    }
  }
}

/** bin/agentmesh.js of this repository, from either test/bench or dist/test/bench. */
function findBin (): string {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const bin = join(dir, 'bin', 'agentmesh.js')
    if (existsSync(bin)) return bin
  }
  throw new Error('bin/agentmesh.js not found above ' + import.meta.dirname)
}

/** `node dist/test/bench/telemetry.js --help`. */
export const TELEMETRY_USAGE = `usage: node dist/test/bench/telemetry.js [options]   (or: npm run bench -- telemetry)
Tasks/s through two daemon pairs, tracing and metrics on vs off, interleaved windows; and the "on"
pair against itself (callers' tasks sampled vs not). Each figure is a ratio measured in the same run.
  --on all|tracing|metrics|none  what the "on" pair gets (default all; none: two identical pairs, the bench's own noise)
  --concurrency LIST      callers per measurement, comma-separated (default 8,32)
  --generations G         fresh daemon pairs per run (default 3)
  --rounds R              interleaved window pairs per generation and caller count (default 4)
  --warm-tasks N          tasks each pair runs before it is measured (default 10000)
  --scrape-interval MS    how often the "on" pair's /metrics are scraped while measured (default 1000; 0: never)
  --bin PATH              another build's bin/agentmesh.js as the daemons
  --short                 a small run (the test suite's)
  --verbose               print every window (rate and daemon CPU)
  --json                  also print the full result as JSON
  -h, --help              this text
environment: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json measures JSON export (default protobuf)`

if (process.argv[1] != null && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = benchCli(process.argv.slice(2), {
    bin: { type: 'string' },
    on: { type: 'string' },
    concurrency: { type: 'string' },
    rounds: { type: 'string' },
    generations: { type: 'string' },
    'warm-tasks': { type: 'string' },
    'scrape-interval': { type: 'string' },
    short: { type: 'boolean' },
    verbose: { type: 'boolean' },
    json: { type: 'boolean' }
  }, TELEMETRY_USAGE, (args): BenchTelemetryOptions & { json: boolean } => {
    const on = args.strings.on
    if (on !== undefined && !['all', 'tracing', 'metrics', 'none'].includes(on)) throw new BenchUsageError(`--on: expected all, tracing, metrics or none, got ${JSON.stringify(on)}`)
    const concurrency = args.strings.concurrency?.split(',').map(Number)
    if (concurrency !== undefined && concurrency.some((c) => !Number.isInteger(c) || c < 1)) throw new BenchUsageError(`--concurrency: expected positive integers separated by commas, got ${JSON.stringify(args.strings.concurrency)}`)
    const rounds = numberFlag(args, 'rounds')
    const generations = numberFlag(args, 'generations')
    const warmTasks = numberFlag(args, 'warm-tasks')
    const scrapeIntervalMs = numberFlag(args, 'scrape-interval')
    return {
      short: args.has('short'),
      verbose: args.has('verbose'),
      json: args.has('json'),
      ...(args.strings.bin !== undefined ? { bin: resolve(args.strings.bin) } : {}),
      ...(on !== undefined ? { on: on as BenchTelemetryOptions['on'] } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(rounds !== undefined ? { rounds } : {}),
      ...(generations !== undefined ? { generations } : {}),
      ...(warmTasks !== undefined ? { warmTasks } : {}),
      ...(scrapeIntervalMs !== undefined ? { scrapeIntervalMs } : {})
    }
  })
  const result = await benchTelemetry(options)
  process.stdout.write(`${formatTelemetryTable(result)}\n`)
  if (options.json) process.stdout.write(`\n${JSON.stringify(result, null, 2)}\n`)
  process.exit(0)
}
