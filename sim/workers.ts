import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { drawPairs, pool as inPool, summary, type LookupSample } from './measure.js'
import { settleWaitMs, START_BATCH, startPlan } from './mesh.js'
import type { SimOptions } from './options.js'
import type { Progress } from './progress.js'
import { Rng } from './rng.js'
import type { ScaleResult, TaskFailure, WorkersDetail } from './scenarios/scale.js'
import { GUARD_MIN_NODES, heapLimitMb, overLimit, readMemory, type GuardStop, type MemoryReading } from './memory-guard.js'
import { acceptWorkers, forkWorker, workerScript as compiledWorker, type WorkerLink } from './worker-link.js'
import { ownerOf, type InitReport, type LagStats, type PhaseReport, type StartReport, type TaskOutcome, type WorkerMessage, type WorkerRequest, type WorkerSnapshot } from './worker-protocol.js'

/** How long a worker may take to answer, by request (ms); past it the run fails and every worker is killed. */
export const WORKER_TIMEOUTS_MS: Record<WorkerRequest['type'], number> = {
  init: 120_000,
  link: 90_000,
  start: 300_000,
  addresses: 60_000,
  tables: 60_000,
  phase: 60_000,
  quiet: 300_000,
  querySelf: 120_000,
  refresh: 120_000,
  snapshot: 120_000,
  findPeer: 120_000,
  findAgent: 120_000,
  task: 180_000,
  stop: 300_000
}

/** The address worker nodes listen on (one machine; see sim/README.md for runs that span machines). */
export const WORKER_LISTEN_HOST = '127.0.0.1'

/** This process's limit on open files, which forked workers inherit (Linux; -1 elsewhere). */
export function openFileLimit (): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    return m != null ? Number(m[1]) : -1
  } catch {
    return -1
  }
}

/** A worker process failed (died, fell silent, answered with an error) or the run was interrupted; every worker has been killed. */
export class SimWorkerError extends Error {
  override name = 'SimWorkerError'
  /** The worker at fault (undefined: the run as a whole, e.g. an interrupt). */
  readonly worker: number | undefined

  constructor (message: string, worker?: number, options?: { cause?: unknown }) {
    super(message, options)
    this.worker = worker
  }
}

/** The compiled worker (dist/sim/worker.js); a SimWorkerError if it is not built. */
export function workerScript (): string {
  const path = compiledWorker()
  if (!existsSync(path)) throw new SimWorkerError(`the compiled worker ${path} is missing: run npm run build first`)
  return path
}

type Request = WorkerRequest extends infer R ? R extends { id: number } ? Omit<R, 'id'> : never : never

interface Pending { resolve: (v: unknown) => void, reject: (e: Error) => void, timer: ReturnType<typeof setTimeout> }

/** One worker (forked, or started by hand and connected over TCP) and its requests in flight. */
class WorkerHandle {
  readonly pending = new Map<number, Pending>()
  fatal: string | undefined
  private nextId = 1

  constructor (readonly index: number, readonly link: WorkerLink, onDeath: (h: WorkerHandle, why: string) => void) {
    link.onMessage((m: WorkerMessage) => {
      if (m.type === 'fatal') { this.fatal = m.error; return }
      if (m.type !== 'reply') return
      const p = this.pending.get(m.id)
      if (p == null) return
      this.pending.delete(m.id)
      clearTimeout(p.timer)
      if (m.ok) p.resolve(m.value)
      else p.reject(new SimWorkerError(`worker ${index} (${link.label}) failed a request: ${m.error}`, index))
    })
    link.onGone((why) => { onDeath(this, why) })
  }

  get tail (): string[] { return this.link.tail }

  get exited (): Promise<void> { return this.link.gone }

  get pid (): number { return this.link.pid }

  /** Sends `req`; resolves with the answer, rejects when the worker answers an error, dies or times out. */
  async request<T> (req: Request, onTimeout: (h: WorkerHandle, type: string) => void): Promise<T> {
    const id = this.nextId++
    return await new Promise<T>((resolve, reject) => {
      const ms = WORKER_TIMEOUTS_MS[req.type]
      const timer = setTimeout(() => { onTimeout(this, `did not answer "${req.type}" within ${ms / 1000} s`) }, ms)
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
      try {
        this.link.send({ ...req, id } as WorkerRequest)
      } catch (err) {
        this.pending.delete(id)
        clearTimeout(timer)
        reject(new SimWorkerError(`worker ${this.index} (${this.link.label}): cannot send "${req.type}": ${(err as Error).message}`, this.index, { cause: err }))
      }
    })
  }

  /** Rejects every request in flight with `err`. */
  abandon (err: Error): void {
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(err) }
    this.pending.clear()
  }

  kill (): void {
    this.link.kill()
  }
}

/**
 * The worker processes of a run. The first failure of any worker — it dies,
 * says it is dying (`fatal`), does not answer in time — fails the whole pool:
 * every worker is killed at once, every request in flight and every later
 * one rejects with a {@link SimWorkerError} naming the worker and why.
 */
export class WorkerPool {
  readonly workers: WorkerHandle[] = []
  private failure: SimWorkerError | undefined
  private readonly failing = new AbortController()
  private stopping = false

  /** Over `links` (worker i is links[i]). */
  constructor (links: WorkerLink[]) {
    links.forEach((link, i) => { this.workers.push(new WorkerHandle(i, link, (h, why) => { this.died(h, why) })) })
  }

  /** `count` workers forked on this machine. */
  static fork (count: number, forwardOutput: boolean): WorkerPool {
    const script = workerScript()
    return new WorkerPool(Array.from({ length: count }, (_, i) => forkWorker(i, script, forwardOutput)))
  }

  get size (): number { return this.workers.length }

  pids (): number[] { return this.workers.map((w) => w.pid) }

  /** Sends `req` to worker `w`. */
  async request<T> (w: number, req: Request): Promise<T> {
    if (this.failure != null) throw this.failure
    const h = this.workers[w]
    if (h == null) throw new SimWorkerError(`no worker ${w}`)
    return await h.request<T>(req, (handle, why) => { this.fail(new SimWorkerError(`worker ${handle.index} (${handle.link.label}) ${why}`, handle.index)) })
  }

  /** Sends `make(w)` to every worker; the answers in worker order. */
  async each<T> (make: (w: number) => Request): Promise<T[]> {
    return await Promise.all(this.workers.map(async (_, w) => this.request<T>(w, make(w))))
  }

  /** Fails the run with `err` (the first failure wins): kills every worker, rejects every request. */
  fail (err: SimWorkerError): void {
    if (this.failure != null) return
    this.failure = err
    for (const w of this.workers) w.kill()
    for (const w of this.workers) w.abandon(err)
    this.failing.abort(err)
  }

  /** The failure that ended the run, if any. */
  get failed (): SimWorkerError | undefined { return this.failure }

  /** Aborted, with the failure as its reason, when the run fails: the coordinator's own waits end with it. */
  get signal (): AbortSignal { return this.failing.signal }

  private died (h: WorkerHandle, why: string): void {
    if (this.stopping && this.failure == null) return
    const detail = h.fatal ?? h.tail.filter((l) => l.trim() !== '').slice(-5).join(' | ')
    this.fail(new SimWorkerError(`worker ${h.index} (${h.link.label}) ${why}${detail !== '' ? `: ${detail}` : ''}; the other workers were stopped`, h.index))
  }

  /** Stops every worker (their nodes first, when the run did not fail), then makes sure none is left. */
  async stop (): Promise<void> {
    this.stopping = true
    if (this.failure == null) {
      await Promise.all(this.workers.map(async (w, i) => this.request(i, { type: 'stop' }).catch(() => { w.kill() })))
    }
    const deadline = new Promise((resolve) => setTimeout(resolve, 10_000).unref())
    await Promise.race([Promise.all(this.workers.map(async (w) => w.exited)), deadline])
    for (const w of this.workers) w.kill()
    await Promise.race([Promise.all(this.workers.map(async (w) => w.exited)), new Promise((resolve) => setTimeout(resolve, 5_000).unref())])
  }
}

/** What tests (and tools) may watch of a run over workers. */
export interface WorkerHooks {
  /** Called with the workers' process ids once they are forked, or have all connected. */
  onSpawn?: (pids: number[]) => void
  /** With `--listen-workers`: called once the coordinator listens, with its address and the token workers must present. */
  onListening?: (address: { host: string, port: number }, token: string) => void
}

/** How long the coordinator waits for workers started by hand (`--listen-workers`). */
export const WORKER_JOIN_TIMEOUT_MS = 15 * 60_000

/**
 * The scale scenario over `o.workers` processes: the coordinator (this
 * process) forks the workers — or, with `--listen-workers HOST:PORT`, waits
 * for K workers started by hand on this machine or others — paces their
 * start in steps, synchronises the phases (converge, settle, refresh,
 * measure) and merges what they measure into the {@link ScaleResult} of a
 * one-process run. Node i runs in worker i mod K, over TCP on the worker's
 * address (127.0.0.1 when forked); keys, bootstrap choices and the workload
 * come from the seed as in one process, so they do not depend on K.
 */
export async function runWorkers (o: SimOptions, progress: Progress, hooks: WorkerHooks = {}): Promise<ScaleResult> {
  if (o.workers > o.nodes) throw new SimWorkerError(`--workers ${o.workers} is more than --nodes ${o.nodes}: a worker needs a node`)
  const interrupt = new AbortController()
  let pool: WorkerPool | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupt.abort()
    pool?.fail(new SimWorkerError(`interrupted by ${signal}; the workers were ${o.listenWorkers != null ? 'disconnected' : 'killed'}`))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    pool = o.listenWorkers != null ? new WorkerPool(await remoteWorkers(o, o.listenWorkers, progress, hooks, interrupt.signal)) : forkedWorkers(o, progress)
    progress.note(`workers: ${pool.workers.map((w) => `${w.index} ${w.link.label}`).join(', ')}`)
    hooks.onSpawn?.(pool.pids())
    return await coordinate(pool, o, progress)
  } catch (err) {
    // A worker's failure surfaces in many requests at once; report the one that caused it.
    throw pool?.failed ?? err
  } finally {
    await pool?.stop()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** K workers forked on this machine, after a warning if they may run out of file descriptors. */
function forkedWorkers (o: SimOptions, progress: Progress): WorkerPool {
  const perWorker = Math.ceil(o.nodes / o.workers)
  const limit = openFileLimit()
  // Each TCP connection end is a descriptor; with --worker-local memory only connections to other
  // workers are TCP, about (K − 1) / K of a node's, plus one listening socket per node.
  const tcpShare = o.workerLocal === 'memory' ? (o.workers - 1) / o.workers : 1
  if (limit > 0 && o.betweenWorkers === 'tcp' && perWorker * (o.maxConnections * tcpShare + 1) > limit) {
    progress.note(`up to ${perWorker} nodes per worker × ${Math.round(o.maxConnections * tcpShare)} TCP connections may pass the open-file limit (${limit}): each TCP connection end is a descriptor (measured over TCP only: ≈ 47 per node at 1,000 nodes, k 10); past it connections fail (EMFILE). More workers, or a higher limit, avoid it`)
  }
  return WorkerPool.fork(o.workers, !o.quiet)
}

/**
 * Waits for K workers started by hand to connect to `listen`, printing the
 * command that starts one. The token comes from AM_SIM_WORKER_TOKEN, or is
 * made here and printed.
 */
async function remoteWorkers (o: SimOptions, listen: string, progress: Progress, hooks: WorkerHooks, signal: AbortSignal): Promise<WorkerLink[]> {
  const given = process.env.AM_SIM_WORKER_TOKEN
  const token = given != null && given !== '' ? given : randomBytes(16).toString('hex')
  try {
    return await acceptWorkers({
      listen,
      count: o.workers,
      token,
      timeoutMs: WORKER_JOIN_TIMEOUT_MS,
      signal,
      onEvent: (line) => { progress.note(line) },
      onListening: (address) => {
        const at = `${address.host === '0.0.0.0' ? 'THIS_HOST' : address.host}:${address.port}`
        // Printed even with --quiet: without it nobody can start the workers (the token may be made here).
        process.stderr.write(`sim: waiting for ${o.workers} workers on ${address.host}:${address.port} (at most ${WORKER_JOIN_TIMEOUT_MS / 60_000} min); on each machine, in a clone of the same commit after npm ci && npm run build, run:\n` +
          `  AM_SIM_WORKER_TOKEN=${given != null && given !== '' ? '"$AM_SIM_WORKER_TOKEN"' : token} node dist/sim/worker.js --coordinator ${at} [--host ADDRESS_OTHERS_REACH_IT_AT]\n`)
        hooks.onListening?.(address, token)
      }
    })
  } catch (err) {
    throw new SimWorkerError(`--listen-workers ${listen}: ${(err as Error).message}`, undefined, { cause: err })
  }
}

async function coordinate (pool: WorkerPool, o: SimOptions, progress: Progress): Promise<ScaleResult> {
  const K = pool.size
  let n = o.nodes
  const owner = (i: number): number => ownerOf(i, K)
  // The coordinator draws from the seed as a one-process mesh does: the key stream, the start plan, then the workload.
  const rng = new Rng(o.seed)
  rng.fork()
  startPlan(rng, n, o.bootstrapPeers)
  const authorityNowMs = Date.now()
  // --between-workers tunnel: one socket per pair of workers (sim/tunnel.ts); the secret keeps strangers' links out.
  const tunnel = o.betweenWorkers === 'tunnel' ? { secret: randomBytes(16).toString('hex'), prefix: `sim-tunnel-${process.pid}-${authorityNowMs}` } : undefined
  const inits = await pool.each<InitReport>((w) => ({ type: 'init', options: o, worker: w, workers: K, authorityNowMs, listenHost: pool.workers[w]?.link.host ?? WORKER_LISTEN_HOST, ...(tunnel != null ? { tunnel } : {}) }))
  const pids = inits.map((r) => r.pid)
  if (tunnel != null) {
    const peers = inits.flatMap((r, w) => {
      if (r.tunnel == null) throw new SimWorkerError(`worker ${w} started no tunnel hub`, w)
      return [r.tunnel]
    })
    await pool.each(() => ({ type: 'link', peers }))
  }

  const eventLoopLagMs: ScaleResult['eventLoopLagMs'] = {}
  const perWorkerLag: Array<Record<string, LagStats>> = pids.map(() => ({}))
  const phaseMs: Record<string, number> = {}
  const connectionsOpened: Record<string, number> = {}
  let phaseStart = performance.now()
  const phase = async (name?: string): Promise<void> => {
    const reports = await pool.each<PhaseReport>(() => ({ type: 'phase' }))
    if (name !== undefined) {
      // The busiest worker's lag: every node of that worker waited that long.
      eventLoopLagMs[name] = {
        p50: Math.max(...reports.map((r) => r.lag.p50)),
        p99: Math.max(...reports.map((r) => r.lag.p99)),
        max: Math.max(...reports.map((r) => r.lag.max))
      }
      reports.forEach((r, w) => { (perWorkerLag[w] as Record<string, LagStats>)[name] = r.lag })
      phaseMs[name] = Math.round(performance.now() - phaseStart)
      connectionsOpened[name] = reports.reduce((s, r) => s + r.connectionsOpened, 0)
    }
    phaseStart = performance.now()
  }

  // Start: node 0 alone, then steps of START_BATCH × K nodes (each worker's share about one
  // batch of a one-process run). A worker paces itself (a quiet event loop before each step),
  // starts its nodes without dialling; once every worker has answered its nodes' addresses, they
  // are sent to all and the new nodes dial their bootstrap peers (earlier blocks, any worker).
  await phase()
  const t0 = performance.now()
  const steps: number[][] = [[0]]
  for (let i = 1; i < n; i += START_BATCH * K) steps.push(Array.from({ length: Math.min(n, i + START_BATCH * K) - i }, (_, k) => i + k))
  let started = 0
  // The memory guard: each worker reports its memory after starting its share of a step; with the
  // coordinator's, the sum is checked before the next step (sim/memory-guard.ts).
  const lastMemory: MemoryReading[] = pids.map(() => ({ rssMb: 0, heapUsedMb: 0, heapLimitMb: Infinity }))
  let stopped: GuardStop | undefined
  let peakRssMb = 0
  const heapLimits: number[] = [heapLimitMb(), ...pids.map(() => 0)]
  for (const step of steps) {
    if (started >= GUARD_MIN_NODES) {
      const readings = [readMemory(), ...lastMemory]
      peakRssMb = Math.max(peakRssMb, readings.reduce((s, r) => s + r.rssMb, 0))
      const over = overLimit(readings, o.maxRssMb, { startedS: (performance.now() - t0) / 1000, maxStartS: o.maxStartS })
      if (over !== undefined) {
        stopped = { atNodes: started, of: n, ...over }
        progress.note(`memory guard: stopped starting nodes at ${started} of ${n}: ${over.reason}; measuring the ${started} nodes up`)
        break
      }
    }
    const mine = pids.map((_, w) => step.filter((i) => owner(i) === w))
    const answers = await Promise.all(mine.map(async (indices, w) => indices.length > 0 ? pool.request<StartReport>(w, { type: 'start', indices }) : undefined))
    answers.forEach((a, w) => { if (a !== undefined) { lastMemory[w] = a.memory; heapLimits[w + 1] = a.memory.heapLimitMb } })
    const entries = answers.flatMap((a) => a?.addresses ?? [])
    await pool.each((w) => ({ type: 'addresses', entries, dial: mine[w] ?? [] }))
    started += step.length
    progress.update('start', started, n)
  }
  peakRssMb = Math.max(peakRssMb, [readMemory(), ...lastMemory].reduce((s, r) => s + r.rssMb, 0))
  // From here on, the run is over the nodes that started (0 … started − 1; all of them unless the guard stopped it).
  n = started
  const lastStart = performance.now()
  const startMs = lastStart - t0
  await phase('start')

  const convergeStart = performance.now()
  const target = Math.min(Math.floor(o.kBucketSize / 2), n - 1)
  const timeoutMs = Math.max(60_000, n * 60)
  let tableSizes: number[] = []
  let converged = false
  for (;;) {
    tableSizes = (await pool.each<number[]>(() => ({ type: 'tables' }))).flat()
    const ready = tableSizes.filter((s) => s >= target).length
    progress.update('converge', ready, tableSizes.length)
    if (ready >= 0.95 * tableSizes.length) { converged = true; break }
    if (performance.now() - convergeStart > timeoutMs) break
    await sleep(250, undefined, { signal: pool.signal })
  }
  const convergeMs = performance.now() - convergeStart
  await phase('converge')

  // Settle and refresh, as in one process (sim/scenarios/scale.ts), every worker at once.
  await sleep(Math.max(0, lastStart + settleWaitMs(o) - performance.now()), undefined, { signal: pool.signal })
  progress.update('settle', 0, 1)
  await pool.each(() => ({ type: 'quiet', lagMs: 50, maxMs: 120_000 }))
  let selfQuery: ScaleResult['selfQuery'] = null
  if (o.requeryAfterSettle) {
    const t = performance.now()
    const closest = await inPool([...Array(n).keys()], 16, async (i) => await pool.request<number>(owner(i), { type: 'querySelf', index: i }), (d) => { progress.update('self-query', d, n) })
    selfQuery = { ms: Math.round(performance.now() - t), closest: summary(closest) }
    await pool.each(() => ({ type: 'quiet', lagMs: 50, maxMs: 60_000 }))
  }
  if (o.refreshAfterSettle) {
    await inPool([...Array(n).keys()], 16, async (i) => pool.request(owner(i), { type: 'refresh', index: i }), (d) => { progress.update('refresh', d, n) })
    await pool.each(() => ({ type: 'quiet', lagMs: 50, maxMs: 60_000 }))
  }
  const snapshots = await pool.each<WorkerSnapshot>(() => ({ type: 'snapshot' }))
  snapshots.forEach((s, w) => {
    if (s.fdLimit > 0 && s.openFds > 0.9 * s.fdLimit) progress.note(`worker ${w} holds ${s.openFds} file descriptors of its limit ${s.fdLimit}: connections beyond it fail (EMFILE); use more workers`)
  })
  const refusals: Record<string, number> = {}
  for (const s of snapshots) for (const [code, k] of Object.entries(s.refusals)) refusals[code] = (refusals[code] ?? 0) + k
  await phase('settle')

  // Measure: the workload a one-process run draws, each lookup or task run by its caller's worker, --in-flight (8) at a time over all.
  const mrng = rng.fork()
  const pairs = (count: number): Array<[number, number]> => drawPairs(mrng, n, count)
  const lookupPairs = pairs(o.lookups)
  const conc = o.inFlight
  const fp = await inPool(lookupPairs, conc, async ([a, b]) => pool.request<LookupSample>(owner(a), { type: 'findPeer', a, b, timeoutMs: 30_000 }),
    (d) => { progress.update('findPeer', d, lookupPairs.length) })
  await phase('findPeer')
  const al = await inPool(lookupPairs, conc, async ([a, b]) => pool.request<LookupSample>(owner(a), { type: 'findAgent', a, b, timeoutMs: 30_000 }),
    (d) => { progress.update('agent lookups', d, lookupPairs.length) })
  await phase('agentLookup')
  const taskPairs = pairs(o.tasks)
  const failures: Record<string, number> = {}
  const failed: TaskFailure[] = []
  const taskMs: number[] = []
  let delivered = 0
  const tasks = await inPool(taskPairs, conc, async ([a, b]) => {
    const r = await pool.request<TaskOutcome>(owner(a), { type: 'task', a, b, timeoutMs: 60_000 })
    if (r.ok) { delivered++; taskMs.push(r.ms) } else {
      failures[r.reason ?? '?'] = (failures[r.reason ?? '?'] ?? 0) + 1
      failed.push({ from: a, to: b, reason: r.reason ?? '?', message: r.message ?? '' })
    }
    return r
  }, (d) => { progress.update('tasks', d, taskPairs.length) })
  await phase('tasks')

  const ok = (xs: LookupSample[]): LookupSample[] => xs.filter((x) => x.ok)
  const cross = (ps: Array<[number, number]>): number[] => ps.flatMap(([a, b], i) => (owner(a) !== owner(b) ? [i] : []))
  const memory = snapshots.reduce((m, s) => ({ rss: m.rss + s.memoryMb.rss, heapUsed: m.heapUsed + s.memoryMb.heapUsed }), { rss: 0, heapUsed: 0 })
  const detailKeys = ['rss', 'heapUsed', 'heapTotal', 'external', 'arrayBuffers'] as const
  const memoryDetailPerNodeMb = Object.fromEntries(detailKeys.map((k) => [k, Math.round(snapshots.reduce((sum, s) => sum + s.memoryDetailMb[k], 0) / n * 100) / 100])) as NonNullable<ScaleResult['memoryDetailPerNodeMb']>
  const hosts = [...new Set(pool.workers.map((w) => w.link.host))].join(', ')
  const workers: WorkersDetail = {
    count: K,
    transport: o.betweenWorkers === 'tunnel'
      ? `the sim's tunnel (sim/tunnel.ts): one TCP socket per pair of workers on ${hosts}, a stream of frames per connection, in-process within a worker; latency ${o.latencyMs} ms per frame`
      : o.workerLocal === 'memory' ? `@libp2p/tcp on ${hosts} between workers, @libp2p/memory within one` : `@libp2p/tcp on ${hosts}`,
    perWorker: snapshots.map((s, w) => ({
      worker: w, pid: pids[w] as number, nodes: s.connections.length,
      memoryMb: { rss: Math.round(s.memoryMb.rss), heapUsed: Math.round(s.memoryMb.heapUsed) },
      openFds: s.openFds, fdLimit: s.fdLimit, connectionEnds: s.connectionEnds, eventLoopLagMs: perWorkerLag[w] as Record<string, LagStats>
    })),
    crossWorker: {
      findPeer: { sent: cross(lookupPairs).length, ok: cross(lookupPairs).filter((i) => fp[i]?.ok === true).length },
      agentLookup: { sent: cross(lookupPairs).length, ok: cross(lookupPairs).filter((i) => al[i]?.ok === true).length },
      tasks: { sent: cross(taskPairs).length, delivered: cross(taskPairs).filter((i) => tasks[i]?.ok === true).length }
    }
  }
  return {
    nodesStarted: n,
    ...(stopped !== undefined ? { stopped } : {}),
    memoryGuard: { maxRssMb: o.maxRssMb, heapLimitMb: heapLimits, peakRssMb },
    startMs: Math.round(startMs),
    startPerNodeMs: Math.round(startMs / n * 10) / 10,
    converge: { ms: Math.round(convergeMs), converged, tableSize: summary(tableSizes), connections: summary(snapshots.flatMap((s) => s.connections)), belowTarget: tableSizes.filter((x) => x < target).length },
    eventLoopLagMs,
    phaseMs,
    selfQuery,
    connectionsOpened,
    refusals,
    memoryPerNodeMb: { rss: Math.round(memory.rss / n * 100) / 100, heapUsed: Math.round(memory.heapUsed / n * 100) / 100 },
    memoryDetailPerNodeMb,
    findPeer: { success: ok(fp).length / Math.max(1, fp.length), ms: summary(ok(fp).map((x) => x.ms)), hops: summary(ok(fp).map((x) => x.hops)) },
    agentLookup: { success: ok(al).length / Math.max(1, al.length), ms: summary(ok(al).map((x) => x.ms)), hops: summary(ok(al).map((x) => x.hops)) },
    tasks: { sent: taskPairs.length, delivered, deliveryRate: delivered / Math.max(1, taskPairs.length), ms: summary(taskMs), failures, failed: failed.sort((x, y) => x.to - y.to) },
    samples: { findPeerMs: fp.map((x) => Math.round(x.ms)), agentLookupMs: al.map((x) => Math.round(x.ms)), taskMs: taskMs.map((x) => Math.round(x)) },
    workers
  }
}
