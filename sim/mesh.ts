import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { memory } from '@libp2p/memory'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { defaultConfig, type Config } from '../src/config/index.js'
import { FIRST_ROUND_MAX_WAIT_MS } from '../src/directory/index.js'
import { createMetrics, silentLogger, type Logger } from '../src/telemetry/index.js'
import { SimAgents } from './agents.js'
import { SimAuthority } from './authority.js'
import type { SimOptions, Topology } from './options.js'
import { Rng } from './rng.js'
import { SimNode } from './sim-node.js'
import { SimTrace } from './trace.js'
import { layout, policyFor, type SimAgentSpec } from './topology.js'
import { GUARD_MIN_NODES } from './memory-guard.js'
import type { TunnelHub } from './tunnel.js'

/** The prompt-injection marker of the simulated campaign; enforcement on inspects for it (`inspection.denyPatterns`). */
export const INJECTION_PATTERN = 'ignore (all )?previous instructions'

/** What a mesh is built from. */
export interface MeshPlan {
  options: SimOptions
  topology: Topology
  enforcement: boolean
  /** Let every host's operator call any agent (the scale / churn / flood workload). */
  operatorsCallAnyone: boolean
  /** Reports start-up progress (nodes started so far). */
  onProgress?: (done: number, total: number, phase: string) => void
  /**
   * How nodes connect: `memory` (one process, default) or `tcp` (a worker of a run spread over
   * processes: each node listens on `listenHost`, port chosen by the system; with
   * `--worker-local memory`, also on the memory transport, which nodes of the same worker dial).
   */
  transport?: 'memory' | 'tcp' | 'tunnel'
  /** With `transport: 'tunnel'`: this worker's hub (sim/tunnel.ts), which its nodes listen and dial through. */
  hub?: TunnelHub
  /** The address TCP nodes listen on (default 127.0.0.1). */
  listenHost?: string
  /**
   * Asked before each batch of `startAll` (once `GUARD_MIN_NODES` run): a reason to start no more
   * nodes (the memory guard, sim/memory-guard.ts), or `undefined` to go on.
   */
  stopStarting?: (started: number) => string | undefined
}

/** What node `i` starts with: its bootstrap peers and the stream its emulated loss draws from. */
export interface StartPlan {
  bootstrap: number[]
  lossRng: Rng
}

/** Nodes started together (after node 0, alone): `startAll`'s batches, and the blocks bootstrap choices are drawn by. */
export const START_BATCH = 8

/**
 * Every node's bootstrap peers and loss stream, drawn from `rng` exactly as a one-process
 * `startAll` draws them: node 0 alone, then blocks of `batch` in index order, a node of a block
 * choosing `bootstrapPeers` among the indices before its block. A run spread over K workers draws
 * the same plan in every worker (and the coordinator), so its bootstrap graph does not depend on K.
 */
export function startPlan (rng: Rng, nodes: number, bootstrapPeers: number, batch = START_BATCH): StartPlan[] {
  const plan: StartPlan[] = [{ bootstrap: [], lossRng: rng.fork() }]
  for (let i = 1; i < nodes; i += batch) {
    const ids: number[] = []
    for (let j = i; j < Math.min(nodes, i + batch); j++) ids.push(j)
    const earlier = [...Array(i).keys()]
    const bootstrapRngs = ids.map(() => rng.fork())
    const bootstraps = ids.map((_, k) => (bootstrapRngs[k] as Rng).sample(earlier, bootstrapPeers))
    for (const [k, j] of ids.entries()) plan[j] = { bootstrap: bootstraps[k] as number[], lossRng: rng.fork() }
  }
  return plan
}

let runCounter = 0

/** The start-up pace: a batch starts once a 50 ms timer fires at most this late (ms). */
export const PACE_LAG_MS = 100

/**
 * How long after the last node started the settle phase waits (ms): a directory's first round
 * runs once its self-query completes (at most FIRST_ROUND_MAX_WAIT_MS after start), its settle
 * round `o.settleMs` after its first well-connected one; 5 s more for the round itself.
 */
export function settleWaitMs (o: Pick<SimOptions, 'settleMs'>): number {
  return FIRST_ROUND_MAX_WAIT_MS + o.settleMs + 5_000
}

/** Waits until a 50 ms timer fires at most `lagMs` late, or `maxMs` have passed. */
export async function waitForQuietLoop (lagMs: number, maxMs: number): Promise<void> {
  const until = performance.now() + maxMs
  while (performance.now() < until) {
    const t = performance.now()
    await new Promise((resolve) => setTimeout(resolve, 50))
    if (performance.now() - t - 50 <= lagMs) return
  }
}

/**
 * A simulated mesh in this process: N daemons (SimNode), each with its own
 * key, clock, logger, in-memory database and trust folder, over the memory
 * transport; agent a{i} on node i, laid out as the topology says; certified
 * by one authority whose policy fits the topology (enforcement on), or open
 * (enforcement off).
 */
export class SimMesh {
  readonly plan: MeshPlan
  readonly rng: Rng
  readonly agents: SimAgentSpec[]
  readonly scripted = new SimAgents()
  readonly nodes: Array<SimNode | undefined> = []
  readonly keys: PrivateKey[] = []
  readonly peerIds: string[] = []
  authority!: SimAuthority
  readonly log: Logger = silentLogger()
  readonly metrics = createMetrics({ processMetrics: false })
  private readonly dir = mkdtempSync(join(tmpdir(), 'am-sim-'))
  private readonly run = `${process.pid}-${++runCounter}`
  private readonly skews: number[] = []
  readonly startedMs: number[] = []
  /** Connections opened so far, over every node (counted once, at the dialler). */
  connectionsOpened = 0

  constructor (plan: MeshPlan) {
    this.plan = plan
    this.rng = new Rng(plan.options.seed)
    this.agents = layout(plan.topology, plan.options.nodes, plan.options.fanout)
    this.scripted.install()
  }

  get size (): number { return this.plan.options.nodes }

  /** TCP addresses of nodes (this worker's and, as the coordinator sends them, every other worker's). */
  readonly addresses = new Map<number, string>()

  /** The memory-transport address node `i` listens on (in this process only; the run id holds the pid). */
  private memoryAddress (i: number): string {
    return `/memory/sim-${this.run}-${i}`
  }

  /** Over TCP, whether nodes of this process also connect to each other over the memory transport (`--worker-local memory`). */
  private get localMemory (): boolean {
    return this.plan.transport === 'tcp' && this.plan.options.workerLocal === 'memory'
  }

  /**
   * The address node `i` is dialled at from this process: its memory-transport address (one
   * process; or a worker's own node with `--worker-local memory`), else the TCP address it reported.
   */
  address (i: number): string {
    if (this.plan.hub != null) return `${this.plan.hub.address(i)}/p2p/${this.peerIds[i] ?? ''}`
    if (this.plan.transport === 'tcp' && !(this.localMemory && this.nodes[i] != null)) return this.tcpAddress(i)
    return `${this.memoryAddress(i)}/p2p/${this.peerIds[i] ?? ''}`
  }

  /** The address node `i` reported (runs over workers: what other workers dial it at; its TCP one, or its tunnel one). */
  tcpAddress (i: number): string {
    if (this.plan.hub != null) return this.address(i)
    const a = this.addresses.get(i)
    if (a === undefined) throw new Error(`no address known for node ${i}`)
    return a
  }

  /**
   * A memory-transport address another process listens on: unreachable from here. Nodes hand out
   * every address they listen on (the DHT's peer records), so with `--worker-local memory` a node
   * learns other workers' /memory addresses too; the connection gater drops them before a dial is
   * tried (else every dial to another worker would first fail on /memory, and the peer store would
   * record the failure).
   */
  readonly foreignMemory = (addr: string): boolean => addr.startsWith('/memory/') && !addr.startsWith(`/memory/sim-${this.run}-`)

  /**
   * Makes every key (seeded), the authority and its policy. `authorityNowMs` is the time the
   * authority signs its policy and revocation list at: workers of one run are all given the
   * coordinator's, so that they hold byte-identical documents (Ed25519 signatures are deterministic).
   */
  async prepare (authorityNowMs = Date.now()): Promise<void> {
    const keyRng = this.rng.fork()
    this.authority = await SimAuthority.create(keyRng, authorityNowMs)
    for (let i = 0; i < this.size; i++) {
      const key = await generateKeyPairFromSeed('Ed25519', keyRng.bytes(32))
      this.keys.push(key)
      this.peerIds.push(peerIdFromPrivateKey(key).toString())
      // Each daemon has its own clock, up to ±500 ms off (well inside the ±30 s window).
      this.skews.push(Math.round((keyRng.float() - 0.5) * 1000))
    }
    this.authority.publish(policyFor(this.plan.topology, this.peerIds[0] as string, { operatorsCallAnyone: this.plan.operatorsCallAnyone }), authorityNowMs)
  }

  /** The config node `i` runs with: its daemon defaults, then the simulator's settings. */
  config (i: number, bootstrap: number[]): Config {
    const { options, enforcement } = this.plan
    const c = defaultConfig()
    c.mesh = 'sim'
    const tcpListen = `/ip4/${this.plan.listenHost ?? '127.0.0.1'}/tcp/0`
    c.listen = this.plan.hub != null ? [this.plan.hub.address(i)] : this.plan.transport !== 'tcp' ? [this.memoryAddress(i)] : this.localMemory ? [tcpListen, this.memoryAddress(i)] : [tcpListen]
    // @libp2p/bootstrap only takes IP and DNS addresses, not /memory ones: startNode dials the
    // bootstrap peers itself, as the bootstrap module would (peer store, then a dial).
    void bootstrap
    c.bootstrap = []
    c.mdns = false
    c.nat = { ...c.nat, reserve: false, dcutr: false, autonat: false, upnp: false }
    c.dht = { clientMode: false, queryTimeoutMs: 30_000, prefixLength: options.prefixLength }
    c.trust = { open: !enforcement, authorities: enforcement ? [this.authority.id] : [] }
    c.connections = { ...c.connections, max: options.maxConnections, inboundPerSecondPerIp: 1_000_000, maxIncomingPending: 1000, redialKnownPeers: 0 }
    c.audit = { ...c.audit, checkpointIntervalMs: 600_000 }
    if (enforcement) c.inspection = { ...c.inspection, denyPatterns: [INJECTION_PATTERN] }
    c.log = { level: 'silent' as any }
    return c
  }

  /** Starts node `i` (bootstrapping to up to B random earlier, running nodes) and registers its agent. */
  async startNode (i: number, bootstrapRng: Rng = this.rng): Promise<SimNode> {
    const running = this.nodes.map((n, j) => (n != null && j !== i ? j : -1)).filter((j) => j >= 0)
    const bootstrap = bootstrapRng.sample(running, this.plan.options.bootstrapPeers)
    return await this.launch(i, { bootstrap, lossRng: this.rng.fork() })
  }

  /**
   * Starts node `i` as `plan` says and registers its agent; dials its bootstrap peers unless
   * `dial` is false (a worker dials once the coordinator has sent the addresses; see {@link dialBootstrap}).
   */
  async launch (i: number, plan: StartPlan, dial = true): Promise<SimNode> {
    const { options, enforcement } = this.plan
    const agent = this.agents[i] as SimAgentSpec
    const lossRng = plan.lossRng
    const now = (): number => Date.now() + (this.skews[i] ?? 0)
    const node = await SimNode.start({
      index: i,
      privateKey: this.keys[i] as PrivateKey,
      config: this.config(i, plan.bootstrap),
      dir: this.dir,
      ...(enforcement ? { bundle: this.authority.issue(this.peerIds[i] as string, [agent], now(), i).bundle } : {}),
      transports: this.plan.hub != null ? [this.plan.hub.transport()] : this.plan.transport !== 'tcp' ? [memory({ latency: options.latencyMs })] : this.localMemory ? [tcp(), memory({ latency: options.latencyMs })] : [tcp()],
      ...(this.localMemory ? { undialable: this.foreignMemory } : {}),
      dht: {
        alpha: options.alpha,
        kBucketSize: options.kBucketSize,
        disjointPaths: options.disjointPaths,
        // Each node asks for itself once soon after start, then rarely: with thousands of nodes
        // on one event loop, the stock 5-minute self-queries are the background load.
        initialQuerySelfInterval: 1000 + (i % 1000),
        querySelfInterval: 10 * 60_000
      },
      maxConnections: options.maxConnections,
      loss: options.loss,
      random: () => lossRng.float(),
      log: this.log,
      metrics: this.metrics,
      now,
      agentFetch: this.scripted.fetch,
      dialDiscovered: options.dialDiscovered,
      kadPing: options.kadPing,
      tableRefresh: options.tableRefresh,
      keepAlive: options.keepAlive,
      headroom: options.headroom,
      followUpSelfQuery: options.followUpSelfQuery,
      encryption: options.encryption,
      libp2pLog: options.libp2pLog,
      settleMs: options.settleMs
    })
    this.nodes[i] = node
    this.startedMs[i] = performance.now()
    SimTrace.get()?.watch(node)
    node.node.addEventListener('connection:open', (evt) => { if (evt.detail.direction === 'outbound') this.connectionsOpened++ })
    if (this.plan.transport === 'tcp') {
      const own = node.node.getMultiaddrs().find((a) => a.toString().includes('/tcp/'))
      if (own == null) throw new Error(`node ${i} listens on no TCP address`)
      this.addresses.set(i, own.toString())
    }
    await node.addAgent(agent.name, agent.role, agent.parent, this.scripted.url(node.peerId, agent.name))
    if (dial) this.dialBootstrap(i, plan.bootstrap)
    return node
  }

  /** Node `i` dials `bootstrap` (as @libp2p/bootstrap would; failures are the DHT's to live with). */
  dialBootstrap (i: number, bootstrap: readonly number[]): void {
    const node = this.nodes[i]
    if (node == null) return
    for (const b of bootstrap) {
      node.node.dial(multiaddr(this.address(b)), { signal: AbortSignal.timeout(30_000) }).catch(() => {})
    }
  }

  /**
   * Starts every node, `batch` at a time, in index order (node 0 first: the others bootstrap to
   * earlier ones). Paced: before each batch, waits (up to 60 s) until the event loop answers a
   * timer within {@link PACE_LAG_MS}. Every node's first minute (self-query, advertising, the
   * connections they open) is the heaviest of its life; started faster than one process can
   * absorb, their queries queue behind each other and time out, and a timed-out provide or
   * lookup is work thrown away (measured: most start-up provides failed at 60–100 nodes).
   * Returns how many nodes started (nodes 0 … n − 1): fewer than N when `stopStarting` said stop.
   */
  async startAll (batch = START_BATCH): Promise<number> {
    // Bootstrap choices are drawn before the nodes start, so a run does not depend on start-up order.
    const plan = startPlan(this.rng, this.size, this.plan.options.bootstrapPeers, batch)
    await this.launch(0, plan[0] as StartPlan)
    this.plan.onProgress?.(1, this.size, 'start')
    for (let i = 1; i < this.size; i += batch) {
      await waitForQuietLoop(PACE_LAG_MS, 60_000)
      if (i >= GUARD_MIN_NODES && this.plan.stopStarting?.(i) !== undefined) return i
      const ids: number[] = []
      for (let j = i; j < Math.min(this.size, i + batch); j++) ids.push(j)
      await Promise.all(ids.map(async (j) => this.launch(j, plan[j] as StartPlan)))
      this.plan.onProgress?.(Math.min(this.size, i + batch), this.size, 'start')
    }
    return this.size
  }

  /** Running nodes. */
  running (): SimNode[] {
    return this.nodes.filter((n): n is SimNode => n != null)
  }

  /**
   * Waits until 95 % of the nodes hold at least `min(wanted, N-1)` (default k/2) peers in their
   * routing table (or the time runs out). Returns how long it took and the sizes.
   */
  async converge (timeoutMs: number, wanted = Math.floor(this.plan.options.kBucketSize / 2)): Promise<{ ms: number, converged: boolean, tableSizes: number[] }> {
    const start = performance.now()
    const target = Math.min(wanted, this.size - 1)
    for (;;) {
      const sizes = this.running().map((n) => n.routingTableSize())
      const ready = sizes.filter((s) => s >= target).length
      this.plan.onProgress?.(ready, sizes.length, 'converge')
      if (ready >= 0.95 * sizes.length) return { ms: performance.now() - start, converged: true, tableSizes: sizes }
      if (performance.now() - start > timeoutMs) return { ms: performance.now() - start, converged: false, tableSizes: sizes }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }

  /** Stops every node and removes the trust folders. */
  async stop (): Promise<void> {
    const all = this.running()
    for (let i = 0; i < all.length; i += 64) await Promise.all(all.slice(i, i + 64).map(async (n) => n.stop()))
    this.nodes.length = 0
    this.plan.hub?.close()
    SimTrace.get()?.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
