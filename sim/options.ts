import { parseHostPort } from './worker-link.js'
import { defaultMaxRssMb } from './memory-guard.js'
import { DHT_PREFIX_LENGTH } from '../src/config/constants.js'

/** The scenarios `npm run sim` runs. */
export const SCENARIOS = ['scale', 'churn', 'compromise', 'flood'] as const
export type Scenario = typeof SCENARIOS[number]

/** The three multi-agent topologies (Huang et al., arXiv 2408.00989). */
export const TOPOLOGIES = ['hierarchical', 'linear', 'flat'] as const
export type Topology = typeof TOPOLOGIES[number]

/** Where attacker text may travel in the compromise scenario (sim/README.md, "The compromise scenario"). */
export const SPREAD_MODELS = ['any', 'work'] as const
export type SpreadModel = typeof SPREAD_MODELS[number]

/** Everything a run is told; resolved once by {@link parseSimArgs}. */
export interface SimOptions {
  scenario: Scenario
  nodes: number
  /** `undefined` for compromise means "all three". */
  topology: Topology | undefined
  fanout: number
  latencyMs: number
  loss: number
  /** Share of nodes that leave (and as many that join) per minute of the churn phase. */
  churn: number
  compromised: number
  /** `undefined` for compromise means "on and off". */
  enforcement: boolean | undefined
  workers: number
  /** Runs over workers: how nodes of one worker connect to each other (`memory`: @libp2p/memory; `tcp`: loopback TCP, as between workers). */
  workerLocal: 'memory' | 'tcp'
  /**
   * How nodes of different workers connect: `tunnel` (every connection a stream of frames on one
   * TCP socket per pair of workers, sim/tunnel.ts; nodes of one worker over the same frames,
   * in-process) or `tcp` (a socket per connection, `@libp2p/tcp`; `--worker-local` applies).
   */
  betweenWorkers: 'tunnel' | 'tcp'
  /**
   * `HOST:PORT`: instead of forking its workers, the coordinator listens here for `workers` workers
   * started by hand, on this machine or others (`node dist/sim/worker.js --coordinator HOST:PORT`).
   */
  listenWorkers?: string
  seed: number
  out: string
  /** Random lookups and tasks of the measuring phase. */
  lookups: number
  tasks: number
  /**
   * scale: lookups (then tasks) in flight at once over the whole mesh in the measuring phase. In a
   * simulation every hop of every lookup runs on the same cores, so N in flight also means N
   * lookups' CPU queued on them (which N machines would not share): 1 measures a lookup alone.
   */
  inFlight: number
  /** How long the measured phase of churn / flood lasts. */
  durationMs: number
  /** DHT tuning (see sim/README.md). */
  alpha: number
  kBucketSize: number
  /**
   * kad-dht's disjoint paths per query (its own default: alpha). Each path walks until k peers on it
   * have answered, and paths share no peer, so a query contacts (and connects to) about d × k peers.
   */
  disjointPaths: number
  /**
   * kad-dht's routing-table depth (`prefixLength`): at most 2^P buckets of k. Default: the daemon's
   * (`dht.prefixLength`, 8). A node's own bucket is offered about N / 2^P peers; past k it keeps the
   * earliest, and later joiners cannot be found (sim/README.md, "The routing table's depth").
   */
  prefixLength: number
  /** Bootstrap peers each node dials at start (bounds the initial degree). */
  bootstrapPeers: number
  maxConnections: number
  /** Install the daemon's dial-every-discovered-peer (off by default: see sim/README.md). */
  dialDiscovered: boolean
  /** kad-dht's ping before a connected peer enters the routing table (and of a full bucket's old contacts). */
  kadPing: boolean
  /** kad-dht's routing-table refresh (random-key lookups per bucket). */
  tableRefresh: boolean
  /** Yamux keep-alive pings on every connection (each side, at once and every 30 s). */
  keepAlive: boolean
  /** Keep 10 % of each node's connection limit free for inbound connections, as the daemon does (`src/node/connection-headroom.ts`). */
  headroom: boolean
  /** The daemon's follow-up self-query, a minute after a node's first (`src/node/follow-up-self-query.ts`). */
  followUpSelfQuery: boolean
  /**
   * The connection encrypter: `noise` (the daemon's) or `plaintext` (`@libp2p/plaintext`: no Noise CPU,
   * and no proof that a peer holds its key; not for compromise, which measures the mesh's checks).
   */
  encryption: 'noise' | 'plaintext'
  /** libp2p's own debug loggers on every node (false: one shared no-op logger; DEBUG=libp2p:* then prints nothing). */
  libp2pLog: boolean
  /**
   * scale: every node queries the DHT for its own ID once more after the settle phase, before the
   * refresh (kad-dht's periodic self-query, every 5 minutes in the daemon, compressed).
   */
  requeryAfterSettle: boolean
  /** scale: advertise every agent once more after the settle phase (the directory's refresh, compressed). */
  refreshAfterSettle: boolean
  /**
   * The directory's settle round, this long after each node's first well-connected round (ms; the
   * daemon's SETTLE_MS is 30 s). The settle phase of scale and compromise waits for it.
   */
  settleMs: number
  /**
   * scale: the memory guard (MB of RSS, over workers the sum of the processes'): once crossed during
   * the start, no more nodes start and the run measures those already up (sim/memory-guard.ts).
   */
  maxRssMb: number
  /** scale: stop starting nodes once the start has taken this long (s; 0: no limit), and measure those up. */
  maxStartS: number
  /** Print JSON progress lines instead of a bar (set for workers and non-TTY). */
  quiet: boolean
  /** compromise: `any` (victims forward to every agent they know, attackers probe outside the topology) or `work` (only along work edges). */
  spread: SpreadModel
  /** compromise: run seeds seed … seed+repeat−1 and report mean and spread. */
  repeat: number
}

/** The defaults, one per option. */
export const DEFAULT_SIM_OPTIONS: Omit<SimOptions, 'scenario'> = {
  nodes: 50,
  topology: undefined,
  fanout: 4,
  latencyMs: 1,
  loss: 0,
  churn: 0.1,
  compromised: 0.1,
  enforcement: undefined,
  workers: 1,
  workerLocal: 'memory',
  betweenWorkers: 'tunnel',
  seed: 1,
  out: 'sim-results',
  lookups: 50,
  inFlight: 8,
  tasks: 100,
  durationMs: 20_000,
  alpha: 3,
  kBucketSize: 20,
  // 1, not kad-dht's alpha (3): at 300 nodes, k 10, it cut start-up connections 6,940 -> 5,702, start
  // 165 -> 124 s and findPeer p95 2.7 -> 0.9 s (sim/README.md). Disjoint paths guard lookups against
  // adversarial routing, which no sim scenario mounts.
  disjointPaths: 1,
  prefixLength: DHT_PREFIX_LENGTH,
  bootstrapPeers: 3,
  maxConnections: 64,
  dialDiscovered: false,
  kadPing: false,
  tableRefresh: false,
  keepAlive: false,
  headroom: true,
  followUpSelfQuery: true,
  encryption: 'noise',
  // Off: libp2p's loggers never print in the sim, and building them cost CPU and memory (300 nodes,
  // k 8, two runs each: CPU -9 % and -5 %, RSS per node -17 % both times; sim/README.md).
  libp2pLog: false,
  // Off: the daemon's own follow-up self-query, a minute after the first (src/node/follow-up-self-query.ts),
  // has run on every node before measuring starts, with the same result (sim/README.md, "Eighth pass").
  requeryAfterSettle: false,
  refreshAfterSettle: true,
  // The daemon's 30 s, compressed as the refresh phase compresses its 10 minutes: the sim's settle
  // phase waits this long after the last node started (sim/README.md, "Fourth pass").
  settleMs: 10_000,
  // 85 % of this machine's memory: past it, a run stops starting nodes instead of being OOM-killed.
  maxRssMb: defaultMaxRssMb(),
  maxStartS: 0,
  quiet: false,
  spread: 'any',
  repeat: 1
}

/** A usage mistake: the CLI prints it with the usage and exits 2. */
export class SimUsageError extends Error {
  override name = 'SimUsageError'
}

export const SIM_USAGE = `usage: npm run sim -- SCENARIO [options]
scenarios: scale | churn | compromise | flood
  --nodes N               nodes (daemons) in the mesh (default 50)
  --topology T            hierarchical | linear | flat (compromise: all three unless given)
  --fanout F              children per agent in the hierarchical tree (default 4)
  --latency MS            one-way latency added to every transport write (default 1; 0 delivers in microtasks and starves timers)
  --loss P                share of connection attempts that fail, 0..1 (default 0)
  --churn RATE            share of nodes that leave and join per minute (churn; default 0.1)
  --compromised FRACTION  share of agents the attacker controls (compromise; default 0.1)
  --enforcement on|off    the mesh's checks (compromise: both unless given)
  --workers K             scale only: spread the nodes over K worker processes (default 1)
  --between-workers tunnel|tcp  with --workers: nodes of different workers connect over one
                          TCP socket per pair of workers, a stream of frames per connection
                          (default; --latency applies everywhere), or a socket per connection
  --worker-local memory|tcp  with --between-workers tcp: nodes of one worker connect over the
                          memory transport (default) or loopback TCP (as between workers)
  --listen-workers HOST:PORT  scale: fork no workers; wait for --workers K workers started by hand on
                          this or other machines (node dist/sim/worker.js --coordinator HOST:PORT;
                          see sim/README.md, "Spanning machines"); token: AM_SIM_WORKER_TOKEN or printed
  --seed S                same seed, same run (default 1)
  --out DIR               where the JSON and HTML land (default sim-results)
  --lookups N --tasks N   size of the measuring phase (default 50 / 100)
  --in-flight N           scale: lookups and tasks in flight at once in the measuring phase (default 8;
                          all share this machine's cores, so 1 measures a lookup without the others' CPU)
  --duration MS           length of the churn / flood phase (default 20000)
  --alpha A --k K         kad-dht query concurrency and bucket size (default 3 / 20)
  --disjoint-paths D      kad-dht disjoint paths per query (default 1; kad-dht's own: alpha)
  --prefix-length P       kad-dht routing-table depth, at most 2^P buckets of k (default 8, the daemon's;
                          kad-dht's own: 6). Keep N / 2^P at or under k, or late joiners go unfound
  --bootstrap-peers B     peers each node dials at start (default 3)
  --max-connections C     per-node connection cap (default 64)
  --dial-discovered       dial every discovered peer, as the daemon does (default off)
  --kad-ping on|off       kad-dht pings a new peer before it enters the routing table (default off)
  --table-refresh on|off  kad-dht's routing-table refresh lookups (default off)
  --keepalive on|off      Yamux keep-alive pings, each side of each connection every 30 s (default off)
  --headroom on|off       keep 10 % of each node's connection limit free for inbound connections, as the
                          daemon does (default on; off: libp2p's own, which refuses all inbound when full)
  --follow-up on|off      the daemon's second DHT self-query, a minute after a node's first (default on;
                          off: kad-dht's own schedule, the next one 5 minutes on)
  --encryption noise|plaintext  connection encrypter (default noise, the daemon's); plaintext: no Noise
                          CPU and no proof of a peer's key (hello, certificates, signatures, policy
                          still real); not for compromise
  --libp2p-log on|off     libp2p's debug loggers on each node (default off: one shared no-op logger;
                          on: the daemon's, printed with DEBUG=libp2p:*)
  --requery on|off        scale: every node queries the DHT for itself once more after the settle phase
                          (kad-dht's 5-minute self-query, compressed; default off: the daemon's
                          follow-up self-query a minute after the first has run by then)
  --refresh on|off        scale: re-advertise every agent once after the settle phase (default on)
  --settle-ms MS          the directory's settle round, MS after a node's first well-connected round
                          (default 10000; the daemon's: 30000); scale and compromise wait for it
                          (8 s for the first round + MS + 5 s after the last node started)
  --max-rss-mb MB         scale: stop starting nodes once the run's RSS (over workers: the processes'
                          sum) reaches MB, or a process's V8 heap 90 % of its limit, and measure the
                          nodes already up; the result says where it stopped and why (default 85 %
                          of this machine's memory: ${defaultMaxRssMb()} MB here). One process
                          re-runs itself with --max-old-space-size=MB when its heap limit is lower
  --max-start-s S         scale: stop starting nodes once the start has taken S seconds, and measure
                          the nodes already up (default 0: no limit)
  --spread any|work       compromise: victims forward to everyone they know and attackers probe
                          outside the topology (any, default), or only along work edges (work)
  --repeat R              compromise: run seeds S … S+R-1 and report mean and spread (default 1)
  --quiet                 no progress bar
environment:
  AM_SIM_TRACE=1          connections, streams, provides and queries every 5 s on stderr
  AM_SIM_STACK_TRACE_LIMIT=N  Error.stackTraceLimit in the sim (default 0: no stacks, cheaper throws)
  AM_SIM_HEAP_SNAPSHOT=FILE   scale, one process: a V8 heap snapshot of the settled mesh`

/** Parses `npm run sim` arguments into a new options object; throws {@link SimUsageError} naming the bad option. */
export function parseSimArgs (argv: readonly string[]): SimOptions {
  const args = [...argv]
  const scenario = args.shift()
  if (scenario === undefined || !(SCENARIOS as readonly string[]).includes(scenario)) {
    throw new SimUsageError(`the first argument must be a scenario (${SCENARIOS.join(', ')}), not ${scenario === undefined ? 'nothing' : `"${scenario}"`}`)
  }
  const o: SimOptions = { ...DEFAULT_SIM_OPTIONS, scenario: scenario as Scenario }
  let workerLocalGiven = false
  while (args.length > 0) {
    const flag = args.shift() as string
    const value = (): string => {
      const v = args.shift()
      if (v === undefined) throw new SimUsageError(`${flag} needs a value`)
      return v
    }
    const num = (min: number, max: number, integer = true): number => {
      const raw = value()
      const n = Number(raw)
      if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
        throw new SimUsageError(`${flag} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}, not "${raw}"`)
      }
      return n
    }
    const onOff = (): boolean => {
      const v = value()
      if (v !== 'on' && v !== 'off') throw new SimUsageError(`${flag} must be on or off, not "${v}"`)
      return v === 'on'
    }
    switch (flag) {
      case '--nodes': o.nodes = num(2, 1_000_000); break
      case '--topology': {
        const t = value()
        if (!(TOPOLOGIES as readonly string[]).includes(t)) throw new SimUsageError(`--topology must be one of ${TOPOLOGIES.join(', ')}, not "${t}"`)
        o.topology = t as Topology
        break
      }
      case '--fanout': o.fanout = num(1, 1000); break
      case '--latency': o.latencyMs = num(0, 60_000, false); break
      case '--loss': o.loss = num(0, 0.99, false); break
      case '--churn': o.churn = num(0, 1, false); break
      case '--compromised': o.compromised = num(0, 1, false); break
      case '--enforcement': {
        const e = value()
        if (e !== 'on' && e !== 'off') throw new SimUsageError(`--enforcement must be on or off, not "${e}"`)
        o.enforcement = e === 'on'
        break
      }
      case '--workers': o.workers = num(1, 256); break
      case '--worker-local': {
        const w = value()
        if (w !== 'memory' && w !== 'tcp') throw new SimUsageError(`--worker-local must be memory or tcp, not "${w}"`)
        o.workerLocal = w
        workerLocalGiven = true
        break
      }
      case '--between-workers': {
        const w = value()
        if (w !== 'tunnel' && w !== 'tcp') throw new SimUsageError(`--between-workers must be tunnel or tcp, not "${w}"`)
        o.betweenWorkers = w
        break
      }
      case '--listen-workers': {
        const v = value()
        if (parseHostPort(v) == null) throw new SimUsageError(`--listen-workers must be HOST:PORT (e.g. 0.0.0.0:7700), not "${v}"`)
        o.listenWorkers = v
        break
      }
      case '--seed': o.seed = num(0, 2 ** 32 - 1); break
      case '--out': o.out = value(); break
      case '--lookups': o.lookups = num(0, 1_000_000); break
      case '--in-flight': o.inFlight = num(1, 1000); break
      case '--tasks': o.tasks = num(0, 1_000_000); break
      case '--duration': o.durationMs = num(1000, 24 * 3600_000); break
      case '--alpha': o.alpha = num(1, 64); break
      case '--k': o.kBucketSize = num(2, 1000); break
      case '--disjoint-paths': o.disjointPaths = num(1, 64); break
      case '--prefix-length': o.prefixLength = num(1, 16); break
      case '--bootstrap-peers': o.bootstrapPeers = num(1, 1000); break
      case '--max-connections': o.maxConnections = num(4, 100_000); break
      case '--quiet': o.quiet = true; break
      case '--dial-discovered': o.dialDiscovered = true; break
      case '--kad-ping': o.kadPing = onOff(); break
      case '--table-refresh': o.tableRefresh = onOff(); break
      case '--keepalive': o.keepAlive = onOff(); break
      case '--headroom': o.headroom = onOff(); break
      case '--follow-up': o.followUpSelfQuery = onOff(); break
      case '--requery': o.requeryAfterSettle = onOff(); break
      case '--refresh': o.refreshAfterSettle = onOff(); break
      case '--settle-ms': o.settleMs = num(0, 600_000); break
      case '--max-rss-mb': o.maxRssMb = num(1, 16 * 2 ** 20); break
      case '--max-start-s': o.maxStartS = num(0, 7 * 24 * 3600); break
      case '--encryption': {
        const e = value()
        if (e !== 'noise' && e !== 'plaintext') throw new SimUsageError(`--encryption must be noise or plaintext, not "${e}"`)
        o.encryption = e
        break
      }
      case '--libp2p-log': o.libp2pLog = onOff(); break
      case '--spread': {
        const m = value()
        if (!(SPREAD_MODELS as readonly string[]).includes(m)) throw new SimUsageError(`--spread must be one of ${SPREAD_MODELS.join(', ')}, not "${m}"`)
        o.spread = m as SpreadModel
        break
      }
      case '--repeat': o.repeat = num(1, 1000); break
      default: throw new SimUsageError(`unknown option "${flag}"`)
    }
  }
  // Only the scale scenario has a coordinator and workers; the others would silently run in one process.
  if (o.workers > 1 && o.scenario !== 'scale') {
    throw new SimUsageError(`--workers is for the scale scenario only (${o.scenario} runs in one process): drop --workers ${o.workers} or run scale`)
  }
  if (o.listenWorkers != null && o.scenario !== 'scale') {
    throw new SimUsageError(`--listen-workers is for the scale scenario only (${o.scenario} runs in one process)`)
  }
  if (workerLocalGiven && o.betweenWorkers === 'tunnel') {
    throw new SimUsageError('--worker-local applies with --between-workers tcp (over the tunnel, nodes of one worker connect in-process): add --between-workers tcp or drop --worker-local')
  }
  // The compromise scenario measures what the mesh's checks stop; plaintext drops the proof that a peer holds its key.
  if (o.encryption === 'plaintext' && o.scenario === 'compromise') {
    throw new SimUsageError('--encryption plaintext is not for the compromise scenario (connections would not prove who the peer is): drop it or run scale')
  }
  return o
}
