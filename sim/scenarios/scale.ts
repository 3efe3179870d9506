import { monitorEventLoopDelay } from 'node:perf_hooks'
import { writeHeapSnapshot } from 'node:v8'
import { sendMessage } from '../agents.js'
import { drawPairs, findAgent, findPeer, memoryDetailMb, pool, summary, type LookupSample } from '../measure.js'
import { settleWaitMs, SimMesh, waitForQuietLoop } from '../mesh.js'
import { agentKey } from '../../src/directory/index.js'
import type { SimOptions } from '../options.js'
import type { Progress } from '../progress.js'
import { agentName } from '../topology.js'
import { heapLimitMb, overLimit, readMemory, type GuardReport, type GuardStop } from '../memory-guard.js'

/** Settings that produced a figure: every figure in a result is reported with them. */
export function settingsOf (o: SimOptions): Record<string, unknown> {
  return {
    nodes: o.nodes, topology: o.topology ?? 'flat', fanout: o.fanout, latencyMs: o.latencyMs, loss: o.loss, workers: o.workers, seed: o.seed,
    dht: { alpha: o.alpha, kBucketSize: o.kBucketSize, disjointPaths: o.disjointPaths, prefixLength: o.prefixLength, connectionMonitor: false, clientMode: false, querySelfIntervalMs: 600_000 },
    kadPing: o.kadPing, tableRefresh: o.tableRefresh, keepAlive: o.keepAlive, headroom: o.headroom, followUpSelfQuery: o.followUpSelfQuery, requeryAfterSettle: o.requeryAfterSettle, refreshAfterSettle: o.refreshAfterSettle, settleMs: o.settleMs,
    encryption: o.encryption === 'plaintext' ? 'plaintext (@libp2p/plaintext: no Noise, peer keys not proven)' : 'noise', libp2pLog: o.libp2pLog,
    bootstrapPeers: o.bootstrapPeers, maxConnections: o.maxConnections,
    // Lookups and tasks in flight at once while measuring (they share the cores: see --in-flight).
    inFlight: o.inFlight,
    // The start's guards (sim/memory-guard.ts): a run that reaches either stops starting nodes and says so.
    maxRssMb: o.maxRssMb, maxStartS: o.maxStartS,
    // Workers connect over loopback TCP: --latency (the memory transport's) does not apply.
    transport: o.workers > 1 && o.betweenWorkers === 'tunnel'
      ? `${o.workers} ${o.listenWorkers != null ? `workers started by hand (--listen-workers ${o.listenWorkers})` : 'worker processes'}: the sim's tunnel (sim/tunnel.ts, --between-workers tunnel), one TCP socket per pair of workers, a stream of frames per connection, handed over in-process within a worker; latency ${o.latencyMs} ms per frame everywhere`
      : o.listenWorkers != null
      ? `${o.workers} workers started by hand (--listen-workers ${o.listenWorkers}): @libp2p/tcp on each worker's --host between workers (the network's latency)${o.workerLocal === 'memory' ? `, @libp2p/memory (latency ${o.latencyMs} ms) within one` : ''}`
      : o.workers > 1
        ? o.workerLocal === 'memory'
          ? `${o.workers} worker processes: @libp2p/tcp on 127.0.0.1 between workers (loopback latency), @libp2p/memory (latency ${o.latencyMs} ms) within one`
          : `@libp2p/tcp on 127.0.0.1, ${o.workers} worker processes (latency: loopback, --latency unused)`
        : '@libp2p/memory',
    database: 'node:sqlite :memory:'
  }
}

/** A run spread over worker processes (`--workers K`, sim/workers.ts): each worker's share, and what crossed between them. */
export interface WorkersDetail {
  count: number
  transport: string
  perWorker: Array<{
    worker: number
    pid: number
    nodes: number
    /** The worker's growth since it started, after GC (MB). */
    memoryMb: { rss: number, heapUsed: number }
    /** File descriptors it held when measuring started (each TCP connection end is one; the process limit bounds a worker). */
    openFds: number
    /** Its limit on open files: a worker near it fails to open connections (EMFILE). */
    fdLimit: number
    /** Its nodes' open connection ends by transport (memory / TCP within the worker / TCP to another worker). */
    connectionEnds: { memory: number, tcpLocal: number, tcpRemote: number }
    eventLoopLagMs: Record<string, { p50: number, p99: number, max: number }>
  }>
  /** Lookups and tasks whose caller and target ran in different workers. */
  crossWorker: {
    findPeer: { sent: number, ok: number }
    agentLookup: { sent: number, ok: number }
    tasks: { sent: number, delivered: number }
  }
}

/** What a scale run measures. */
/** A task that was not delivered: node `from` called agent a{to} by name; the error's code and message. */
export interface TaskFailure { from: number, to: number, reason: string, message: string }

export interface ScaleResult {
  /** Nodes that started (all of `--nodes`, unless the memory guard stopped the start). */
  nodesStarted: number
  /** Only when the memory guard stopped the start: at how many nodes, and why. Every figure below is over `nodesStarted`. */
  stopped?: GuardStop
  /** The guard's limit, the heap limits, the peak RSS it read during the start. */
  memoryGuard: GuardReport
  startMs: number
  startPerNodeMs: number
  converge: { ms: number, converged: boolean, tableSize: ReturnType<typeof summary>, connections: ReturnType<typeof summary>, belowTarget: number }
  /** Event-loop delay per phase (ms): how busy the one process was (every node shares it); over workers, the busiest worker's. */
  eventLoopLagMs: Record<string, { p50: number, p99: number, max: number }>
  /** How long each phase took (ms). */
  phaseMs: Record<string, number>
  /** Connections opened by the end of each phase, over every node. */
  connectionsOpened: Record<string, number>
  /** Peers on the nodes' refusal lists when measuring starts, by code (a hello that failed under load refuses a peer for 30 s). */
  refusals: Record<string, number>
  /**
   * The second self-query after the settle phase (`--requery on`; null when off): how long it took
   * over all nodes, and how many closest peers each node's walk ended on.
   */
  selfQuery: { ms: number, closest: ReturnType<typeof summary> } | null
  memoryPerNodeMb: { rss: number, heapUsed: number }
  /** The growth per node (MB, after GC) by where it lives (`process.memoryUsage()`; over workers, their sum / N). */
  memoryDetailPerNodeMb?: { rss: number, heapUsed: number, heapTotal: number, external: number, arrayBuffers: number }
  findPeer: { success: number, ms: ReturnType<typeof summary>, hops: ReturnType<typeof summary> }
  agentLookup: { success: number, ms: ReturnType<typeof summary>, hops: ReturnType<typeof summary> }
  tasks: { sent: number, delivered: number, deliveryRate: number, ms: ReturnType<typeof summary>, failures: Record<string, number>, failed: TaskFailure[] }
  samples: { findPeerMs: number[], agentLookupMs: number[], taskMs: number[] }
  /** Only in a run over worker processes. */
  workers?: WorkersDetail
}

/**
 * Scale: bring up N daemons, let the DHT converge, then random findPeer and
 * agent lookups, then random tasks (by agent name: directory lookup,
 * certificate check, policy, envelope, relay, delivery, answer).
 */
export async function runScale (o: SimOptions, progress: Progress): Promise<ScaleResult> {
  let stopped: GuardStop | undefined
  let peakRssMb = 0
  let t0 = performance.now()
  const mesh = new SimMesh({
    options: o, topology: o.topology ?? 'flat', enforcement: o.enforcement ?? true, operatorsCallAnyone: true,
    onProgress: (d, t, phase) => { progress.update(phase, d, t) },
    stopStarting: (started) => {
      const now = readMemory()
      peakRssMb = Math.max(peakRssMb, now.rssMb)
      const over = overLimit([now], o.maxRssMb, { startedS: (performance.now() - t0) / 1000, maxStartS: o.maxStartS })
      if (over === undefined) return undefined
      stopped = { atNodes: started, of: o.nodes, ...over }
      progress.note(`memory guard: stopped starting nodes at ${started} of ${o.nodes}: ${over.reason}; measuring the ${started} nodes up`)
      return over.reason
    }
  })
  const lag = monitorEventLoopDelay({ resolution: 20 })
  const eventLoopLagMs: ScaleResult['eventLoopLagMs'] = {}
  const phaseMs: Record<string, number> = {}
  const connectionsOpened: Record<string, number> = {}
  let phaseStart = performance.now()
  lag.enable()
  const phase = (name: string): void => {
    const r = (ns: number): number => Math.round(ns / 1e5) / 10
    eventLoopLagMs[name] = { p50: r(lag.percentile(50)), p99: r(lag.percentile(99)), max: r(lag.max) }
    phaseMs[name] = Math.round(performance.now() - phaseStart)
    connectionsOpened[name] = mesh.connectionsOpened
    phaseStart = performance.now()
    lag.reset()
  }
  try {
    global.gc?.()
    const before = memoryDetailMb()
    await mesh.prepare()
    phaseStart = performance.now()
    lag.reset()
    t0 = performance.now()
    const n = await mesh.startAll()
    const startMs = performance.now() - t0
    peakRssMb = Math.max(peakRssMb, readMemory().rssMb)
    phase('start')
    // Over the nodes that started (the memory guard may have stopped the start short of --nodes).
    const conv = await mesh.converge(Math.max(60_000, n * 60), Math.min(Math.floor(o.kBucketSize / 2), n - 1))
    phase('converge')
    // Settle: every directory runs its first round once its self-query completes (at most
    // FIRST_ROUND_MAX_WAIT_MS after start) and one more o.settleMs (--settle-ms) after its first
    // well-connected one; measuring while those run measures them. Wait for the last one to have
    // started, then for a quiet loop (each bounded).
    const lastStart = Math.max(...mesh.startedMs)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastStart + settleWaitMs(o) - performance.now())))
    await waitForQuietLoop(50, 120_000)
    // kad-dht's 5-minute self-query, compressed (--requery): a node's first one (a second after it
    // started) met the nearest peers of those that had joined by then; the mesh's later joiners
    // nearer to it may never have met it.
    let selfQuery: ScaleResult['selfQuery'] = null
    if (o.requeryAfterSettle) {
      const t = performance.now()
      const closest = await pool(mesh.running(), 16, async (x) => await x.querySelf(AbortSignal.timeout(30_000)), (d) => { progress.update('self-query', d, n) })
      selfQuery = { ms: Math.round(performance.now() - t), closest: summary(closest) }
      await waitForQuietLoop(50, 60_000)
    }
    // The directory's 10-minute refresh, compressed: in one process the mesh grows by hundreds of
    // nodes within a node's first minutes, so its records sit on the peers closest to each key
    // among those that had joined by then, not the whole mesh's. A real mesh grows slower than a
    // refresh interval; the sim refreshes every record once after the growth stops (16 at a time).
    if (o.refreshAfterSettle) {
      await pool(mesh.running(), 16, async (x) => {
        const agent = mesh.agents[x.index]
        if (agent == null) return
        await x.node.contentRouting.provide(await agentKey('sim', agent.name), { signal: AbortSignal.timeout(30_000) }).catch(() => {})
      }, (d) => { progress.update('refresh', d, n) })
      await waitForQuietLoop(50, 60_000)
    }
    const connections = mesh.running().map((x) => x.node.getConnections().length)
    const refusals: Record<string, number> = {}
    for (const x of mesh.running()) {
      for (const r of x.refusals()) { const code = r.reason.split(':')[0] ?? '?'; refusals[code] = (refusals[code] ?? 0) + 1 }
    }
    phase('settle')
    global.gc?.()
    const after = memoryDetailMb()
    // AM_SIM_HEAP_SNAPSHOT=FILE: a V8 heap snapshot of the settled mesh (what a node's memory is made of).
    if (process.env.AM_SIM_HEAP_SNAPSHOT != null && process.env.AM_SIM_HEAP_SNAPSHOT !== '') writeHeapSnapshot(process.env.AM_SIM_HEAP_SNAPSHOT)
    const rng = mesh.rng.fork()
    const pairs = (count: number): Array<[number, number]> => drawPairs(rng, n, count)
    const lookupPairs = pairs(o.lookups)
    const conc = o.inFlight
    const fp: LookupSample[] = await pool(lookupPairs, conc, async ([a, b]) => findPeer(mesh.nodes[a]!, mesh.peerIds[b]!, 30_000),
      (d) => { progress.update('findPeer', d, lookupPairs.length) })
    phase('findPeer')
    const al: LookupSample[] = await pool(lookupPairs, conc, async ([a, b]) => findAgent(mesh.nodes[a]!, 'sim', agentName(b), mesh.peerIds[b]!, 30_000),
      (d) => { progress.update('agent lookups', d, lookupPairs.length) })
    phase('agentLookup')
    const taskPairs = pairs(o.tasks)
    const failures: Record<string, number> = {}
    const failed: TaskFailure[] = []
    const taskMs: number[] = []
    let delivered = 0
    await pool(taskPairs, conc, async ([a, b]) => {
      const r = await mesh.nodes[a]!.call('operator', agentName(b), sendMessage(`task for ${agentName(b)}`), AbortSignal.timeout(60_000))
      if (r.ok) { delivered++; taskMs.push(r.ms) } else {
        failures[r.reason ?? '?'] = (failures[r.reason ?? '?'] ?? 0) + 1
        failed.push({ from: a, to: b, reason: r.reason ?? '?', message: r.message ?? '' })
      }
    }, (d) => { progress.update('tasks', d, taskPairs.length) })
    phase('tasks')
    const ok = (xs: LookupSample[]): LookupSample[] => xs.filter((x) => x.ok)
    return {
      nodesStarted: n,
      ...(stopped !== undefined ? { stopped } : {}),
      memoryGuard: { maxRssMb: o.maxRssMb, heapLimitMb: [heapLimitMb()], peakRssMb },
      startMs: Math.round(startMs),
      startPerNodeMs: Math.round(startMs / n * 10) / 10,
      converge: { ms: Math.round(conv.ms), converged: conv.converged, tableSize: summary(conv.tableSizes), connections: summary(connections), belowTarget: conv.tableSizes.filter((x) => x < Math.min(Math.floor(o.kBucketSize / 2), n - 1)).length },
      eventLoopLagMs,
      phaseMs,
      selfQuery,
      connectionsOpened,
      refusals,
      memoryPerNodeMb: { rss: Math.round((after.rss - before.rss) / n * 100) / 100, heapUsed: Math.round((after.heapUsed - before.heapUsed) / n * 100) / 100 },
      memoryDetailPerNodeMb: Object.fromEntries(Object.entries(after).map(([k, v]) => [k, Math.round((v - before[k as keyof typeof before]) / n * 100) / 100])) as ScaleResult['memoryDetailPerNodeMb'],
      findPeer: { success: ok(fp).length / Math.max(1, fp.length), ms: summary(ok(fp).map((x) => x.ms)), hops: summary(ok(fp).map((x) => x.hops)) },
      agentLookup: { success: ok(al).length / Math.max(1, al.length), ms: summary(ok(al).map((x) => x.ms)), hops: summary(ok(al).map((x) => x.hops)) },
      tasks: { sent: taskPairs.length, delivered, deliveryRate: delivered / Math.max(1, taskPairs.length), ms: summary(taskMs), failures, failed: failed.sort((x, y) => x.to - y.to) },
      samples: { findPeerMs: fp.map((x) => Math.round(x.ms)), agentLookupMs: al.map((x) => Math.round(x.ms)), taskMs: taskMs.map((x) => Math.round(x)) }
    }
  } finally {
    lag.disable()
    progress.update('stopping', 0, 1)
    await mesh.stop()
  }
}
