// First: sets what libp2p's modules read from the environment when they load.
import './process-env.js'
import { readdirSync, readFileSync } from 'node:fs'
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { sendMessage } from './agents.js'
import { findAgent, findPeer, memoryDetailMb } from './measure.js'
import { PACE_LAG_MS, SimMesh, startPlan, waitForQuietLoop, type StartPlan } from './mesh.js'
import { agentKey } from '../src/directory/index.js'
import { agentName } from './topology.js'
import { readMemory } from './memory-guard.js'
import { ownerOf, type PhaseReport, type StartReport, type TaskOutcome, type WorkerMessage, type WorkerRequest, type WorkerSnapshot } from './worker-protocol.js'

/**
 * One worker of a run spread over processes: a {@link SimMesh} over TCP that
 * starts only the nodes it owns (i ≡ worker mod workers) but knows every
 * node's key and start plan (drawn from the seed, as in one process), and
 * does what the coordinator asks, one request at a time or many at once.
 */
export class SimWorker {
  private mesh: SimMesh | undefined
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
          connectionEnds: connectionEnds(mesh)
        }
        return snapshot
      }
      case 'findPeer':
        return await findPeer(this.own(req.a), mesh.peerIds[req.b] as string, req.timeoutMs)
      case 'findAgent':
        return await findAgent(this.own(req.a), 'sim', agentName(req.b), mesh.peerIds[req.b] as string, req.timeoutMs)
      case 'task': {
        const r = await this.own(req.a).call('operator', agentName(req.b), sendMessage(`task for ${agentName(req.b)}`), AbortSignal.timeout(req.timeoutMs))
        const outcome: TaskOutcome = { ok: r.ok, ms: r.ms, ...(r.reason !== undefined ? { reason: r.reason } : {}) }
        return outcome
      }
      case 'stop':
        this.lag.disable()
        await mesh.stop()
        this.mesh = undefined
        return null
    }
  }

  private async init (req: Extract<WorkerRequest, { type: 'init' }>): Promise<number> {
    global.gc?.()
    this.before = memoryDetailMb()
    this.worker = req.worker
    this.workers = req.workers
    const o = req.options
    const mesh = new SimMesh({
      options: o, topology: o.topology ?? 'flat', enforcement: o.enforcement ?? true, operatorsCallAnyone: true,
      transport: 'tcp', listenHost: req.listenHost
    })
    // Every worker draws every key and the whole start plan, in the order one process draws them.
    await mesh.prepare(req.authorityNowMs)
    this.plan = startPlan(mesh.rng, mesh.size, o.bootstrapPeers)
    this.mesh = mesh
    this.lag.enable()
    return process.pid
  }

  /** One of this worker's running nodes. */
  private own (i: number): NonNullable<SimMesh['nodes'][number]> {
    const node = this.mesh?.nodes[i]
    if (node == null) throw new Error(`node ${i} is not running in worker ${this.worker} (owner: worker ${ownerOf(i, this.workers)})`)
    return node
  }
}

/** Open connection ends of `mesh`'s nodes by transport, and whether the other end is in this worker. */
function connectionEnds (mesh: SimMesh): WorkerSnapshot['connectionEnds'] {
  const local = new Set(mesh.running().map((n) => n.peerId))
  const ends = { memory: 0, tcpLocal: 0, tcpRemote: 0 }
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

/** Runs a worker on this process's IPC channel (the process was forked by the coordinator). */
export function serveWorker (): void {
  const send = process.send?.bind(process)
  if (send == null) {
    process.stderr.write('sim worker: no IPC channel; workers are started by the coordinator (npm run sim -- scale --workers K)\n')
    process.exit(2)
  }
  const post = (m: WorkerMessage, then?: () => void): void => { send(m, undefined, {}, () => { then?.() }) }
  const worker = new SimWorker()
  process.on('message', (req: WorkerRequest) => {
    worker.handle(req).then((value) => {
      // After the answer to `stop` is out, let go of the channel: 'disconnect' below exits.
      post({ type: 'reply', id: req.id, ok: true, value: value ?? null }, req.type === 'stop' ? () => { process.disconnect() } : undefined)
    }, (err: unknown) => {
      post({ type: 'reply', id: req.id, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })
    })
  })
  // The coordinator is gone (it exited, was killed, or let go of us): nothing left to work for.
  process.on('disconnect', () => { process.exit(0) })
  const die = (err: unknown): void => {
    try {
      post({ type: 'fatal', error: err instanceof Error ? err.stack ?? err.message : String(err) }, () => { process.exit(1) })
    } catch {
      process.exit(1)
    }
    setTimeout(() => { process.exit(1) }, 1000).unref()
  }
  process.on('uncaughtException', die)
  process.on('unhandledRejection', die)
  post({ type: 'up' })
}

if (process.argv[1] != null && import.meta.url === new URL(`file://${process.argv[1]}`).href) serveWorker()
