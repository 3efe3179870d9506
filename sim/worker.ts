// First: sets what libp2p's modules read from the environment when they load.
import './process-env.js'
import { readdirSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { sendMessage } from './agents.js'
import { findAgent, findPeer, memoryDetailMb } from './measure.js'
import { PACE_LAG_MS, SimMesh, startPlan, waitForQuietLoop, type StartPlan } from './mesh.js'
import { agentKey } from '../src/directory/index.js'
import { agentName } from './topology.js'
import { readMemory } from './memory-guard.js'
import { respawned, respawnWith } from './respawn.js'
import { buildFingerprint, isIPv4, LineChannel, parseHostPort, splitHostPort, WORKER_EXEC_ARGV } from './worker-link.js'
import { TunnelHub } from './tunnel.js'
import { ownerOf, WORKER_PROTOCOL_VERSION, type InitReport, type WorkerHello, type WorkerWelcome, type PhaseReport, type StartReport, type TaskOutcome, type WorkerMessage, type WorkerRequest, type WorkerSnapshot } from './worker-protocol.js'

/**
 * One worker of a run spread over processes: a {@link SimMesh} over TCP that
 * starts only the nodes it owns (i ≡ worker mod workers) but knows every
 * node's key and start plan (drawn from the seed, as in one process), and
 * does what the coordinator asks, one request at a time or many at once.
 */
export class SimWorker {
  private mesh: SimMesh | undefined
  private hub: TunnelHub | undefined
  private plan: StartPlan[] = []
  private worker = 0
  private workers = 1
  private before = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 }
  private readonly lag: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 })

  /** Answers one request (throws on failure; the caller turns that into an error reply). */
  async handle (req: WorkerRequest): Promise<unknown> {
    if (req.type === 'init') return await this.init(req)
    const mesh = this.mesh
    if (mesh == null) throw new Error(`"${req.type}" before "init"`)
    switch (req.type) {
      case 'start': {
        await waitForQuietLoop(PACE_LAG_MS, 60_000)
        for (const i of req.indices) {
          if (ownerOf(i, this.workers) !== this.worker) throw new Error(`node ${i} belongs to worker ${ownerOf(i, this.workers)}, not ${this.worker}`)
        }
        await Promise.all(req.indices.map(async (i) => mesh.launch(i, this.plan[i] as StartPlan, false)))
        const report: StartReport = { addresses: req.indices.map((i) => [i, mesh.tcpAddress(i)]), memory: readMemory() }
        return report
      }
      case 'link':
        if (this.hub == null) throw new Error('"link" without a tunnel (--between-workers tcp)')
        await this.hub.link(req.peers, AbortSignal.timeout(60_000))
        return null
      case 'addresses':
        for (const [i, a] of req.entries) mesh.addresses.set(i, a)
        for (const i of req.dial) mesh.dialBootstrap(i, (this.plan[i] as StartPlan).bootstrap)
        return null
      case 'tables':
        return mesh.running().map((n) => n.routingTableSize())
      case 'phase': {
        const r = (ns: number): number => Math.round(ns / 1e5) / 10
        const report: PhaseReport = { lag: { p50: r(this.lag.percentile(50)), p99: r(this.lag.percentile(99)), max: r(this.lag.max) }, connectionsOpened: mesh.connectionsOpened }
        this.lag.reset()
        return report
      }
      case 'quiet':
        await waitForQuietLoop(req.lagMs, req.maxMs)
        return null
      case 'querySelf':
        return await this.own(req.index).querySelf(AbortSignal.timeout(30_000))
      case 'refresh': {
        const agent = mesh.agents[req.index]
        const node = this.own(req.index)
        if (agent != null) await node.node.contentRouting.provide(await agentKey('sim', agent.name), { signal: AbortSignal.timeout(30_000) }).catch(() => {})
        return null
      }
      case 'snapshot': {
        const refusals: Record<string, number> = {}
        for (const x of mesh.running()) {
          for (const r of x.refusals()) { const code = r.reason.split(':')[0] ?? '?'; refusals[code] = (refusals[code] ?? 0) + 1 }
        }
        global.gc?.()
        const after = memoryDetailMb()
        const snapshot: WorkerSnapshot = {
          connections: mesh.running().map((x) => x.node.getConnections().length),
          tableSizes: mesh.running().map((x) => x.routingTableSize()),
          refusals,
          memoryMb: { rss: after.rss - this.before.rss, heapUsed: after.heapUsed - this.before.heapUsed },
          memoryDetailMb: { rss: after.rss - this.before.rss, heapUsed: after.heapUsed - this.before.heapUsed, heapTotal: after.heapTotal - this.before.heapTotal, external: after.external - this.before.external, arrayBuffers: after.arrayBuffers - this.before.arrayBuffers },
          openFds: openFds(),
          fdLimit: fdLimit(),
          connectionEnds: connectionEnds(mesh, this.hub)
        }
        return snapshot
      }
      case 'findPeer':
        return await findPeer(this.own(req.a), mesh.peerIds[req.b] as string, req.timeoutMs)
      case 'findAgent':
        return await findAgent(this.own(req.a), 'sim', agentName(req.b), mesh.peerIds[req.b] as string, req.timeoutMs)
      case 'task': {
        const r = await this.own(req.a).call('operator', agentName(req.b), sendMessage(`task for ${agentName(req.b)}`), AbortSignal.timeout(req.timeoutMs))
        const outcome: TaskOutcome = { ok: r.ok, ms: r.ms, ...(r.reason !== undefined ? { reason: r.reason } : {}), ...(r.message !== undefined ? { message: r.message } : {}) }
        return outcome
      }
      case 'stop':
        this.lag.disable()
        await mesh.stop()
        this.mesh = undefined
        return null
    }
  }

  private async init (req: Extract<WorkerRequest, { type: 'init' }>): Promise<InitReport> {
    global.gc?.()
    this.before = memoryDetailMb()
    this.worker = req.worker
    this.workers = req.workers
    const o = req.options
    const hub = req.tunnel == null
      ? undefined
      : new TunnelHub({ worker: req.worker, workers: req.workers, prefix: req.tunnel.prefix, secret: req.tunnel.secret, latencyMs: o.latencyMs, ownerOf: (i) => ownerOf(i, req.workers) })
    this.hub = hub
    const tunnel = hub == null ? undefined : await hub.listen(req.listenHost)
    const mesh = new SimMesh({
      options: o, topology: o.topology ?? 'flat', enforcement: o.enforcement ?? true, operatorsCallAnyone: true,
      ...(hub != null ? { transport: 'tunnel' as const, hub } : { transport: 'tcp' as const, listenHost: req.listenHost })
    })
    // Every worker draws every key and the whole start plan, in the order one process draws them.
    await mesh.prepare(req.authorityNowMs)
    this.plan = startPlan(mesh.rng, mesh.size, o.bootstrapPeers)
    this.mesh = mesh
    this.lag.enable()
    return { pid: process.pid, ...(tunnel != null ? { tunnel } : {}) }
  }

  /** One of this worker's running nodes. */
  private own (i: number): NonNullable<SimMesh['nodes'][number]> {
    const node = this.mesh?.nodes[i]
    if (node == null) throw new Error(`node ${i} is not running in worker ${this.worker} (owner: worker ${ownerOf(i, this.workers)})`)
    return node
  }
}

/** Open connection ends of `mesh`'s nodes by transport, and whether the other end is in this worker. */
function connectionEnds (mesh: SimMesh, hub: TunnelHub | undefined): WorkerSnapshot['connectionEnds'] {
  const local = new Set(mesh.running().map((n) => n.peerId))
  const tunnel = hub?.connectionEnds()
  const ends = { memory: 0, tcpLocal: 0, tcpRemote: 0, tunnelLocal: tunnel?.local ?? 0, tunnelRemote: tunnel?.remote ?? 0 }
  if (hub != null) return ends
  for (const n of mesh.running()) {
    for (const c of n.node.getConnections()) {
      if (c.remoteAddr.toString().startsWith('/memory/')) ends.memory++
      else if (local.has(c.remotePeer.toString())) ends.tcpLocal++
      else ends.tcpRemote++
    }
  }
  return ends
}

/** This process's limit on open files (Linux: /proc/self/limits, soft limit; -1 elsewhere). */
function fdLimit (): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    return m != null ? Number(m[1]) : -1
  } catch {
    return -1
  }
}

/** File descriptors open in this process (Linux; -1 elsewhere). */
function openFds (): number {
  try { return readdirSync('/proc/self/fd').length } catch { return -1 }
}

/** How a worker talks to its coordinator: the fork's IPC channel, or a socket it opened itself. */
interface CoordinatorChannel {
  post: (m: WorkerMessage, then?: () => void) => void
  onRequest: (cb: (req: WorkerRequest) => void) => void
  /** Called when the coordinator is gone (it exited, was killed, or let go of this worker). */
  onClose: (cb: () => void) => void
  /** After the answer to `stop`: let go of the channel (the worker then exits). */
  release: () => void
}

/** Serves `worker`'s requests on `channel` until the coordinator lets go; exits the process then, or on an error of its own. */
function serve (channel: CoordinatorChannel): void {
  const worker = new SimWorker()
  channel.onRequest((req) => {
    worker.handle(req).then((value) => {
      // After the answer to `stop` is out, let go of the channel: onClose below exits.
      channel.post({ type: 'reply', id: req.id, ok: true, value: value ?? null }, req.type === 'stop' ? () => { channel.release() } : undefined)
    }, (err: unknown) => {
      channel.post({ type: 'reply', id: req.id, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })
    })
  })
  // The coordinator is gone (it exited, was killed, or let go of us): nothing left to work for.
  channel.onClose(() => { process.exit(0) })
  const die = (err: unknown): void => {
    try {
      channel.post({ type: 'fatal', error: err instanceof Error ? err.stack ?? err.message : String(err) }, () => { process.exit(1) })
    } catch {
      process.exit(1)
    }
    setTimeout(() => { process.exit(1) }, 1000).unref()
  }
  process.on('uncaughtException', die)
  process.on('unhandledRejection', die)
  channel.post({ type: 'up' })
}

/** Runs a worker on this process's IPC channel (the process was forked by the coordinator). */
export function serveWorker (): void {
  const send = process.send?.bind(process)
  if (send == null) {
    process.stderr.write(`sim worker: no IPC channel and no --coordinator.\n${WORKER_USAGE}\n`)
    process.exit(2)
  }
  serve({
    post: (m, then) => { send(m, undefined, {}, () => { then?.() }) },
    onRequest: (cb) => { process.on('message', cb) },
    onClose: (cb) => { process.on('disconnect', cb) },
    release: () => { process.disconnect() }
  })
}

export const WORKER_USAGE = `usage: node dist/sim/worker.js --coordinator HOST:PORT [--host ADDRESS]
A sim worker started by hand, for a scale run whose coordinator was started with
--workers K --listen-workers HOST:PORT (on this machine or another; sim/README.md, "Spanning machines").
  --coordinator HOST:PORT  where the coordinator listens
  --host ADDRESS           the IPv4 address this worker's nodes listen on and the other workers dial
                           (default: this machine's address on the connection to the coordinator)
  -h, --help               this text
environment:
  AM_SIM_WORKER_TOKEN      the run's token, as the coordinator printed it or was given it (required)
The worker runs the same build as the coordinator (checked: same commit, npm ci && npm run build),
serves one run, and exits when the coordinator lets go of it. Keep the machines' clocks in step
(NTP): envelopes from more than 30 s in the future or past are refused.`

/**
 * Connects to the coordinator at `coordinator` (`HOST:PORT`), presents the
 * token and this build, and serves the run. Resolves with the process's exit
 * code when it cannot join (the worker's own errors end it through `serve`).
 */
export async function joinCoordinator (coordinator: string, token: string, host: string | undefined): Promise<number> {
  const [chost, cport] = splitHostPort(coordinator)
  const socket = connect({ host: chost, port: Number(cport) })
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
  } catch (err) {
    process.stderr.write(`sim worker: cannot reach the coordinator at ${coordinator}: ${(err as Error).message}\n`)
    return 1
  }
  const listenHost = host ?? socket.localAddress?.replace(/^::ffff:/, '')
  const channel = new LineChannel(socket)
  const hello: WorkerHello = { type: 'hello', token, protocol: WORKER_PROTOCOL_VERSION, build: buildFingerprint(), pid: process.pid, host: listenHost ?? '' }
  channel.send(hello)
  let welcome: WorkerWelcome
  try {
    welcome = await channel.next(30_000) as WorkerWelcome
  } catch (err) {
    process.stderr.write(`sim worker: the coordinator at ${coordinator} did not answer: ${(err as Error).message}\n`)
    socket.destroy()
    return 1
  }
  if (welcome.type !== 'welcome') {
    process.stderr.write(`sim worker: the coordinator at ${coordinator} turned this worker away: ${welcome.type === 'refused' ? welcome.error : JSON.stringify(welcome)}\n`)
    socket.destroy()
    return 2
  }
  process.stderr.write(`sim worker ${welcome.worker}: joined the coordinator at ${coordinator}; nodes listen on ${hello.host}\n`)
  socket.on('error', () => {}) // 'close' follows: the coordinator is gone.
  serve({
    post: (m, then) => { channel.send(m, then) },
    onRequest: (cb) => { channel.onMessage((m) => { cb(m as WorkerRequest) }) },
    onClose: (cb) => { socket.once('close', cb) },
    release: () => { socket.end() }
  })
  return 0
}

/** The V8 flags of a forked worker that this process lacks (a worker started by hand re-runs itself with them). */
function missingWorkerFlags (): string[] {
  return WORKER_EXEC_ARGV.filter((flag) => !process.execArgv.some((a) => a.split('=')[0] === flag.split('=')[0]))
}

async function main (argv: string[]): Promise<void> {
  if (argv.length === 0) { serveWorker(); return }
  let values
  try {
    values = parseArgs({ args: argv, options: { coordinator: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${WORKER_USAGE}\n`)
    process.exit(2)
  }
  if (values.help === true) { process.stdout.write(`${WORKER_USAGE}\n`); process.exit(0) }
  const token = process.env.AM_SIM_WORKER_TOKEN
  const problem = values.coordinator == null
    ? 'missing --coordinator HOST:PORT'
    : parseHostPort(values.coordinator) == null ? `--coordinator must be HOST:PORT, not "${values.coordinator}"`
      : token == null || token === '' ? 'AM_SIM_WORKER_TOKEN is not set (the coordinator printed it when it started)'
        : values.host != null && !isIPv4(values.host) ? `--host must be an IPv4 address, not "${values.host}"` : undefined
  if (problem !== undefined) {
    process.stderr.write(`sim worker: ${problem}\n${WORKER_USAGE}\n`)
    process.exit(2)
  }
  const flags = missingWorkerFlags()
  if (flags.length > 0 && !respawned()) {
    // Run again with the forked workers' V8 flags (the child does the work).
    respawnWith(flags, argv)
    return
  }
  const code = await joinCoordinator(values.coordinator as string, token as string, values.host)
  if (code !== 0) process.exit(code)
}

if (process.argv[1] != null && import.meta.url === new URL(`file://${process.argv[1]}`).href) void main(process.argv.slice(2))
