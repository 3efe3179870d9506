import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { MemoryDatastore } from 'datastore-core'
import type { PrivateKey, Transport } from '@libp2p/interface'
import type { KadDHTInit } from '@libp2p/kad-dht'
import { plaintext } from '@libp2p/plaintext'
import { matchRoute, type RequestContext } from '../src/api/index.js'
import { AuditLog } from '../src/audit/index.js'
import type { Config } from '../src/config/index.js'
import { TaskServices } from '../src/daemon/task-services.js'
import { createSigner, createVerifier } from '../src/envelope/index.js'
import { createMeshNode, dialDiscoveredPeers, type MeshNode } from '../src/node/index.js'
import { querySelfOnce } from '../src/node/follow-up-self-query.js'
import { openDatabase, type Database } from '../src/store/index.js'
import type { Logger, Metrics } from '../src/telemetry/index.js'
import { AccessControl, installBundle, PeerTrust, RefusalList, TrustStore } from '../src/trust/index.js'
import { SILENT_LIBP2P_LOGGER } from './libp2p-logger.js'

/** What {@link SimNode.start} needs: what a daemon's home and flags would give it. */
export interface SimNodeInit {
  index: number
  privateKey: PrivateKey
  config: Config
  /** Where this node's trust folder goes (the only files a sim node writes). */
  dir: string
  /** The join bundle to install (closed mesh); none in open mode. */
  bundle?: Uint8Array
  transports: Array<(components: any) => Transport>
  dht: Partial<KadDHTInit>
  maxConnections: number
  /** Share of this node's outbound connection attempts that fail (emulated loss). */
  loss: number
  /** Addresses this node cannot reach (another worker's memory-transport addresses): the gater drops them before a dial. */
  undialable?: (addr: string) => boolean
  random: () => number
  log: Logger
  /** One metrics registry for the whole process (the counters add up over nodes). */
  metrics: Metrics
  now: () => number
  /** How the daemon reaches its local agents: the process's scripted agents (see SimAgents). */
  agentFetch: typeof fetch
  /** Install the daemon's dial-on-discovery (default off in the sim; see below). */
  dialDiscovered?: boolean
  /**
   * kad-dht pings every newly connected peer before it enters the routing table, and the oldest
   * contacts of a full bucket (default true, as in the daemon). Off: new peers enter at once and
   * full buckets keep their old contacts (sim/README.md: a stream per connection and side saved).
   */
  kadPing?: boolean
  /** kad-dht's routing-table refresh (random-key lookups per bucket at start, then every 5 min; default true). */
  tableRefresh?: boolean
  /** Yamux keep-alive pings (each side of each connection, at once and then every 30 s; default true, as in the daemon). */
  keepAlive?: boolean
  /** The daemon's connection headroom (default on). */
  headroom?: boolean
  /** The daemon's follow-up self-query a minute after the first (default on). */
  followUpSelfQuery?: boolean
  /**
   * The connection encrypter (default `noise`, the daemon's). `plaintext` (`@libp2p/plaintext`)
   * exchanges public keys in the clear: no Noise CPU, and no proof that the remote holds its key —
   * the hello, certificates, envelope signatures and policy still run as in the daemon.
   */
  encryption?: 'noise' | 'plaintext'
  /** libp2p's own debug loggers (default true, as in the daemon); false: a shared no-op logger. */
  libp2pLog?: boolean
  /** The directory's settle round, this long after its first well-connected round (ms; default the daemon's SETTLE_MS). */
  settleMs?: number
}

/** The answer to one call through a node's A2A endpoint. */
export interface CallOutcome {
  ok: boolean
  /** `data.reason` of a mesh error (`POLICY_DENIED`, `AGENT_NOT_FOUND`, …), or `AGENT_ERROR`. */
  reason?: string
  /** The error's message, when not ok. */
  message?: string
  /** The JSON-RPC result, when ok. */
  result?: unknown
  ms: number
}

/**
 * One daemon of the simulated mesh: the real node, trust, policy, envelope,
 * relay, directory, delegation, inspection and audit modules, composed as
 * `Daemon.start` composes them (TaskServices is shared code), over an
 * in-memory database and the memory transport. What it leaves out: the home
 * lock, the key file, the Unix-socket API server (calls go straight to the
 * same route handlers) and the peer book.
 */
export class SimNode {
  readonly index: number
  readonly node: MeshNode
  readonly peerId: string
  readonly services: TaskServices
  readonly peerTrust: PeerTrust
  readonly db: Database
  readonly audit: AuditLog
  readonly store: TrustStore
  readonly signer: ReturnType<typeof createSigner>
  readonly now: () => number
  /** Caller tokens of the local agents, by name. */
  readonly tokens = new Map<string, string>()
  private stopped = false
  private readonly cleanups: Array<() => void> = []

  private constructor (parts: Pick<SimNode, 'index' | 'node' | 'services' | 'peerTrust' | 'db' | 'audit' | 'store' | 'signer' | 'now'>) {
    Object.assign(this, parts)
    this.index = parts.index
    this.node = parts.node
    this.services = parts.services
    this.peerTrust = parts.peerTrust
    this.db = parts.db
    this.audit = parts.audit
    this.store = parts.store
    this.signer = parts.signer
    this.now = parts.now
    this.peerId = parts.node.peerId.toString()
  }

  /** Builds and starts one node; it dials its bootstrap peers on its own. */
  static async start (init: SimNodeInit): Promise<SimNode> {
    const { config, now } = init
    const db = openDatabase(':memory:')
    const refusals = new RefusalList(now)
    const gater = refusals.gater()
    const undialable = init.undialable
    // An undialable address is dropped before the loss draw: the loss stream (seeded) is drawn by real dials only.
    const lossy = init.loss > 0 || undialable != null
      ? { ...gater, denyDialMultiaddr: async (ma: any) => (undialable?.(ma.toString()) ?? false) || (init.loss > 0 && init.random() < init.loss) || (await gater.denyDialMultiaddr?.(ma) ?? false) }
      : gater
    const node = await createMeshNode({
      config, privateKey: init.privateKey, datastore: new MemoryDatastore(), connectionGater: lossy,
      transports: init.transports, connectionMonitor: false, dht: init.dht,
      connectionManager: { maxConnections: init.maxConnections },
      ...(init.keepAlive === false ? { muxer: { enableKeepAlive: false } } : {}),
      ...(init.headroom === false ? { connectionHeadroom: false } : {}),
      ...(init.followUpSelfQuery === false ? { followUpSelfQuery: false } : {}),
      ...(init.encryption === 'plaintext' ? { connectionEncrypters: [plaintext()] } : {}),
      ...(init.libp2pLog === false ? { logger: SILENT_LIBP2P_LOGGER } : {})
    })
    // Sim tunings that createMeshNode has no knob for: kad-dht internals, set before the node starts.
    const dht = node.services.dht as unknown as { routingTable?: { kb?: { lastPingThreshold: number } }, routingTableRefresh?: { afterStart: () => Promise<void> } }
    if (init.kadPing === false && dht.routingTable?.kb != null) dht.routingTable.kb.lastPingThreshold = Number.POSITIVE_INFINITY
    if (init.tableRefresh === false && dht.routingTableRefresh != null) dht.routingTableRefresh.afterStart = async () => {}
    const localPeer = node.peerId.toString()
    const log = init.log
    const verifier = createVerifier()
    const dir = join(init.dir, String(init.index))
    mkdirSync(dir, { recursive: true })
    if (init.bundle != null) installBundle(dir, init.bundle, localPeer, verifier, now())
    const store = new TrustStore({ dir, localPeer, verifier, configuredAuthorities: config.trust.authorities, now, log })
    store.load()
    const signer = createSigner(init.privateKey)
    const audit = new AuditLog({ db, signer, now, checkpointEvery: config.audit.checkpointEvery, checkpointIntervalMs: config.audit.checkpointIntervalMs })
    audit.start()
    const open = config.trust.open
    const peerTrust = new PeerTrust({
      node, store, refusals, verifier, mesh: config.mesh, open, now, log, metrics: init.metrics,
      audit: (peer, code, message) => { audit.append({ decision: 'peer_refused', reason: code, fromPeer: peer, toPeer: localPeer, detail: message }) }
    })
    const access = new AccessControl({ store, peers: peerTrust, localPeer, open })
    const services = new TaskServices({ node, config, privateKey: init.privateKey, db, log, now, metrics: init.metrics, access, peers: peerTrust, store, audit, fetch: init.agentFetch,
      ...(init.settleMs !== undefined ? { directory: { settleMs: init.settleMs } } : {})
    })
    await peerTrust.start()
    await node.start()
    await services.start()
    const sim = new SimNode({ index: init.index, node, services, peerTrust, db, audit, store, signer, now })
    // The daemon dials every peer:discovery (libp2p 3 has no autodialer; meant for mDNS). In a DHT of
    // thousands that makes every node dial every peer it hears of, up to maxConnections, and then
    // libp2p prunes: connection churn. The sim leaves it out unless asked (--dial-discovered).
    if (init.dialDiscovered === true) sim.cleanups.push(dialDiscoveredPeers(node, log))
    return sim
  }

  /** Registers a local agent (as `agentmesh agent add` does, role and parent from the certificate) and keeps its caller token. */
  async addAgent (name: string, role: string | null, parent: string | null, url: string): Promise<void> {
    const record = await this.services.registry.add({ name, url, role, parent })
    this.tokens.set(name, record.token)
  }

  /**
   * Calls `spec` (`name` or `name@peer`) through this daemon's `/a2a/{agent}`
   * endpoint, exactly as a local A2A client would, as `caller` (a local
   * agent's name, or `operator`). The route handler runs in-process: no socket.
   */
  async call (caller: string, spec: string, rpc: unknown, signal: AbortSignal): Promise<CallOutcome> {
    const started = performance.now()
    const match = matchRoute(this.services.routes, 'POST', `/a2a/${encodeURIComponent(spec)}/`)
    if (match.kind !== 'route') throw new Error(`no A2A route for ${spec}`)
    const token = caller === 'operator' ? undefined : this.tokens.get(caller)
    const res = new CapturedResponse()
    const ctx: RequestContext = {
      req: { headers: { host: 'sim', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) } } as any,
      res: res as any,
      params: match.params,
      query: new URLSearchParams(),
      body: async () => rpc,
      signal
    }
    // The handler honours the signal; the race makes sure a call can never outlive it in the sim.
    let onAbort: (() => void) | undefined
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => { resolve('aborted') }
      if (signal.aborted) resolve('aborted')
      else signal.addEventListener('abort', onAbort, { once: true })
    })
    try {
      const handled = Promise.resolve(match.route.handler(ctx))
      handled.catch(() => {})
      if (await Promise.race([handled.then(() => 'done' as const), aborted]) === 'aborted') {
        return { ok: false, reason: 'TIMEOUT', ms: performance.now() - started }
      }
    } catch (err) {
      return { ok: false, reason: (err as { code?: string }).code ?? 'INTERNAL', message: (err as Error).message, ms: performance.now() - started }
    } finally {
      if (onAbort != null) signal.removeEventListener('abort', onAbort)
    }
    const ms = performance.now() - started
    let body: any
    try { body = JSON.parse(res.body) } catch { return { ok: false, reason: 'NO_ANSWER', ms } }
    if (body?.error != null) return { ok: false, reason: body.error.data?.reason ?? 'AGENT_ERROR', message: String(body.error.message ?? ''), ms }
    return { ok: true, result: body?.result, ms }
  }

  /** The peers this node refuses now, with why (the trust module's refusal list). */
  refusals (): Array<{ peer: string, reason: string }> {
    return (this.peerTrust as unknown as { init: { refusals: RefusalList } }).init.refusals.list()
  }

  /**
   * kad-dht's self-query, run now: a closest-peers walk toward this node's own ID, which meets (and
   * so enters the routing tables of) the peers nearest to it. The daemon runs one a second after
   * start, a minute later, and then every 5 minutes. Resolves with the number of closest peers it ended on.
   */
  async querySelf (signal: AbortSignal): Promise<number> {
    return await querySelfOnce(this.node, signal)
  }

  /** Routing-table size of the DHT. */
  routingTableSize (): number {
    return (this.node.services.dht as unknown as { routingTable: { size: number } }).routingTable.size
  }

  /** Stops the node as a daemon stops (a node that leaves the mesh). */
  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    for (const c of this.cleanups) c()
    // Each step is bounded: a node that leaves must not hold up the run.
    const bounded = async (p: Promise<unknown>): Promise<void> => { await Promise.race([p.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]) }
    await bounded(Promise.resolve(this.services.stop()))
    await bounded(Promise.resolve(this.peerTrust.stop()))
    await bounded(Promise.resolve(this.node.stop()))
    try { this.audit.stop() } catch {}
    try { this.db.close() } catch {}
  }
}

/** Collects what a route handler writes as its HTTP answer. */
class CapturedResponse {
  body = ''
  statusCode = 200
  headersSent = false
  writableEnded = false
  writeHead (status: number): this { this.statusCode = status; this.headersSent = true; return this }
  setHeader (): this { return this }
  flushHeaders (): void {}
  write (chunk: string | Uint8Array): boolean { this.body += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(); return true }
  end (chunk?: string | Uint8Array): this { if (chunk != null) this.write(chunk); this.writableEnded = true; return this }
  destroy (): void { this.writableEnded = true }
  on (): this { return this }
  once (): this { return this }
}
