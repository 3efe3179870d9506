import type { LookupSample } from './measure.js'
import type { MemoryReading } from './memory-guard.js'
import type { SimOptions } from './options.js'
import type { TunnelPeer } from './tunnel.js'

/**
 * The messages between the coordinator of a run spread over worker processes
 * (`sim/workers.ts`) and its workers (`sim/worker.ts`), over the fork's IPC
 * channel (JSON). The coordinator sends requests, each with an `id`; a worker
 * answers each with a {@link WorkerReply} of the same `id`, and sends
 * {@link WorkerFatal} when it is about to die of an error of its own.
 */
export type WorkerRequest =
  /** Sets the worker up: the run's options, which indices it owns (i ≡ worker mod workers), the authority's signing time. */
  | { type: 'init', id: number, options: SimOptions, worker: number, workers: number, authorityNowMs: number, listenHost: string, tunnel?: TunnelInit }
  /** `--between-workers tunnel`: the other workers' tunnel hubs; answers once every link is up. */
  | { type: 'link', id: number, peers: TunnelPeer[] }
  /** Waits for a quiet event loop (the start-up pace), then starts these nodes without dialling anyone; answers a {@link StartReport}. */
  | { type: 'start', id: number, indices: number[] }
  /** Addresses of nodes (any worker's); then the nodes in `dial` (this worker's) dial their bootstrap peers. */
  | { type: 'addresses', id: number, entries: Array<[number, string]>, dial: number[] }
  /** Routing-table sizes of this worker's nodes. */
  | { type: 'tables', id: number }
  /** Ends a phase: answers the event-loop lag since the last `phase` and the connections opened so far; resets the lag. */
  | { type: 'phase', id: number }
  /** Waits until a 50 ms timer fires at most `lagMs` late, or `maxMs` have passed. */
  | { type: 'quiet', id: number, lagMs: number, maxMs: number }
  /** Node `index` queries the DHT for itself once more (kad-dht's periodic self-query, compressed). */
  | { type: 'querySelf', id: number, index: number }
  /** Node `index` advertises its agent once more (the compressed refresh). */
  | { type: 'refresh', id: number, index: number }
  /** Connections per node, routing-table sizes, refusal lists by code, memory grown since `init` (after GC). */
  | { type: 'snapshot', id: number }
  /** Node `a` looks `b` up: `findPeer` (kad-dht) or `findAgent` (the providers of b's agent name). */
  | { type: 'findPeer' | 'findAgent', id: number, a: number, b: number, timeoutMs: number }
  /** Node `a`'s operator sends a task to b's agent, by name. */
  | { type: 'task', id: number, a: number, b: number, timeoutMs: number }
  /** Stops every node; the worker exits after answering. */
  | { type: 'stop', id: number }

/** The tunnel between workers (`--between-workers tunnel`): the run's secret and address prefix, the same for every worker. */
export interface TunnelInit { secret: string, prefix: string }

/** What `init` answers: the worker's pid, and with a tunnel, where its hub listens. */
export interface InitReport { pid: number, tunnel?: TunnelPeer }

/** A worker's answer to request `id`. */
export type WorkerReply =
  | { type: 'reply', id: number, ok: true, value: unknown }
  | { type: 'reply', id: number, ok: false, error: string }

/** A worker's last word before it exits on an error outside any request. */
export interface WorkerFatal { type: 'fatal', error: string }

/** Sent once, when the worker process has loaded its modules and listens for requests. */
export interface WorkerUp { type: 'up' }

/** The version of these messages; a worker started by hand must speak the coordinator's. */
export const WORKER_PROTOCOL_VERSION = 3

/**
 * A worker started by hand (`node dist/sim/worker.js --coordinator HOST:PORT`)
 * introduces itself: the first line it sends over its socket.
 */
export interface WorkerHello {
  type: 'hello'
  /** The run's shared secret (AM_SIM_WORKER_TOKEN). */
  token: string
  protocol: number
  /** Its build's fingerprint (sim/worker-link.ts, `buildFingerprint`): it must be the coordinator's. */
  build: string
  pid: number
  /** The IPv4 address its nodes listen on and are dialled at. */
  host: string
}

/** The coordinator's answer to a hello: the worker's index in the run, or why it was turned away. */
export type WorkerWelcome = { type: 'welcome', worker: number } | { type: 'refused', error: string }

export type WorkerMessage = WorkerReply | WorkerFatal | WorkerUp

/** Event-loop delay over a phase (ms). */
export interface LagStats { p50: number, p99: number, max: number }

/** What `phase` answers. */
export interface PhaseReport { lag: LagStats, connectionsOpened: number }

/** What `snapshot` answers. */
export interface WorkerSnapshot {
  connections: number[]
  tableSizes: number[]
  refusals: Record<string, number>
  /** Growth since `init`, after a GC (MB). */
  memoryMb: { rss: number, heapUsed: number }
  /** The same growth by where it lives (`process.memoryUsage()`, MB). */
  memoryDetailMb: { rss: number, heapUsed: number, heapTotal: number, external: number, arrayBuffers: number }
  /** File descriptors this worker holds (sockets: each TCP connection end is one; the process limit bounds a worker's nodes). */
  openFds: number
  /** The process's limit on open files (-1: unknown). */
  fdLimit: number
  /**
   * Open connection ends of this worker's nodes, by transport: `memory` (to a node of this worker,
   * `--worker-local memory`), `tcp` to a node of this worker, `tcp` to another worker's; with
   * `--between-workers tunnel`, `tunnel` to a node of this worker or another's (sim/tunnel.ts).
   */
  connectionEnds: { memory: number, tcpLocal: number, tcpRemote: number, tunnelLocal: number, tunnelRemote: number }
}

/** What `start` answers: the new nodes' TCP addresses, and the worker's memory after starting them (the memory guard sums it). */
export interface StartReport { addresses: Array<[number, string]>, memory: MemoryReading }

/** What `task` answers. */
export interface TaskOutcome { ok: boolean, reason?: string, message?: string, ms: number }

export type { LookupSample, TunnelPeer }

/** Which worker runs node `i` in a run over `workers` processes. */
export function ownerOf (i: number, workers: number): number {
  return i % workers
}
