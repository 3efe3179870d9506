import { chmodSync, closeSync, openSync, rmSync } from 'node:fs'
import { MemoryDatastore } from 'datastore-core'
import type { PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { ApiServer, v1Routes, type Route } from '../api/index.js'
import type { Config } from '../config/index.js'
import { acquireHomeLock, homePaths, type HomeLock, type HomePaths } from '../home/index.js'
import { createMeshNode, dialDiscoveredPeers, redialKnownPeers, rememberPeers, reserveOnRelays, type MeshNode } from '../node/index.js'
import type { Logger } from '../telemetry/index.js'
import { createSqlitePeerBook, openDatabase, outboxBacklog, type Database } from '../store/index.js'
import { createMetrics, libp2pMetrics, observeTaskDecisions, serveMetrics, Tracing, type MetricsServer } from '../telemetry/index.js'
import type { SpanExporter } from '@opentelemetry/sdk-trace-base'
import { createVerifier } from '../envelope/index.js'
import { AccessControl, PeerTrust, RefusalList, TrustStore } from '../trust/index.js'
import { AuditLog } from '../audit/index.js'
import { createSigner } from '../envelope/index.js'
import { trustRoutes, trustView, type TrustView } from './trust-routes.js'
import { loadOrCreateApiToken } from './api-token.js'
import { TaskServices } from './task-services.js'
import { NodeMeshControl, routingTableSize } from './mesh-control.js'

/** What {@link Daemon.start} needs. The home must exist (see `initHome`). */
export interface DaemonInit {
  home: string
  config: Config
  privateKey: PrivateKey
  logger: Logger
  now?: () => number
  /** Tests and the simulator: task spans go here too (tracing is on even without `telemetry.tracing.endpoint`). */
  traceExporter?: SpanExporter
}

/** What a started daemon reports once it is ready. */
export interface ReadyInfo {
  peerId: string
  addresses: string[]
  apiSocket: string
  apiTcp: string | null
  /** `HOST:PORT` of the plain-HTTP `/metrics` listener (`telemetry.metricsListen`), or null. */
  metrics: string | null
}

/**
 * The composition root: holds the home's lock, runs the libp2p node and the
 * local API, and tears everything down in reverse order on `stop()`.
 */
export class Daemon {
  readonly paths: HomePaths
  readonly node: MeshNode
  private readonly log: Logger
  private readonly lock: HomeLock
  private readonly api: ApiServer
  private readonly background = new AbortController()
  private readonly cleanups: Array<() => void> = []
  private apiTcp: string | null = null
  private metricsServer: MetricsServer | null = null
  private stopping?: Promise<void>

  private readonly db: Database
  private readonly services: TaskServices
  private readonly peerTrust: PeerTrust
  private readonly audit: AuditLog
  private readonly tracing: Tracing
  /** This daemon's trust state (mode, certificate, policy, peers). */
  trust!: () => TrustView

  private constructor (parts: { paths: HomePaths, node: MeshNode, log: Logger, lock: HomeLock, api: ApiServer, db: Database, services: TaskServices, peerTrust: PeerTrust, audit: AuditLog, tracing: Tracing }) {
    this.tracing = parts.tracing
    this.peerTrust = parts.peerTrust
    this.audit = parts.audit
    this.db = parts.db
    this.services = parts.services
    this.paths = parts.paths
    this.node = parts.node
    this.log = parts.log
    this.lock = parts.lock
    this.api = parts.api
  }

  /** Starts a daemon on `init.home`; throws (and leaves nothing running) if any step fails. */
  static async start (init: DaemonInit): Promise<Daemon> {
    const paths = homePaths(init.home)
    const lock = acquireHomeLock(paths.lock, paths.root)
    const undo: Array<() => Promise<void> | void> = [() => { lock.release() }]
    try {
      // libp2p's peer store reads and rewrites a peer's record on every new
      // stream; on disk that cost milliseconds per task. Keep it in memory and
      // remember peers in our own database instead (the peer book).
      const datastore = new MemoryDatastore()
      // Task payloads live here: owner-only, like the key (SQLite gives its -wal and -shm files the same mode).
      closeSync(openSync(paths.database, 'a', 0o600))
      chmodSync(paths.database, 0o600)
      const db = openDatabase(paths.database)
      undo.push(() => { db.close() })
      const peerBook = createSqlitePeerBook(db)
      const now = init.now ?? Date.now
      const refusals = new RefusalList(now)
      // One registry per daemon: ours and libp2p's metrics, served together on /metrics.
      const metrics = createMetrics()
      const node = await createMeshNode({
        config: init.config, privateKey: init.privateKey, datastore, connectionGater: refusals.gater(),
        metrics: libp2pMetrics({ registry: metrics.registry, dhtOperations: metrics.dhtOperations })
      })
      const localPeer = node.peerId.toString()
      const log = init.logger.child({ peer: localPeer })
      metrics.observe({ connections: () => node.getConnections(), dhtRoutingTableSize: () => routingTableSize(node.services.dht), outboxBacklog: outboxBacklog(db), now })
      const verifier = createVerifier()
      const open = init.config.trust.open
      const store = new TrustStore({ dir: paths.trust, localPeer, verifier, configuredAuthorities: init.config.trust.authorities, now, log: log.child({ component: 'trust' }) })
      store.load()
      const audit = new AuditLog({
        db, signer: createSigner(init.privateKey), now, log: log.child({ component: 'audit' }),
        checkpointEvery: init.config.audit.checkpointEvery, checkpointIntervalMs: init.config.audit.checkpointIntervalMs
      })
      audit.start()
      undo.push(() => { audit.stop() })
      const peerTrust = new PeerTrust({
        node, store, refusals, verifier, mesh: init.config.mesh, open, now, log: log.child({ component: 'trust' }), metrics,
        audit: (peer, code, message) => { audit.append({ decision: 'peer_refused', reason: code, fromPeer: peer, toPeer: localPeer, detail: message }) }
      })
      const access = new AccessControl({ store, peers: peerTrust, localPeer, open })
      let apiToken: string | undefined
      // Every task decision the audit log records is also counted, timed and logged with its ids.
      const taskAudit = observeTaskDecisions(audit, { metrics, log: log.child({ component: 'task' }), localPeer })
      // One tracer provider per daemon, never the global one; nothing is loaded or recorded without an endpoint.
      const tracing = await Tracing.create({
        endpoint: init.config.telemetry.tracing.endpoint, protocol: init.config.telemetry.tracing.protocol, serviceName: 'agentmesh', peerId: localPeer, log: log.child({ component: 'tracing' }),
        ...(init.traceExporter != null ? { exporter: init.traceExporter } : {})
      })
      undo.push(async () => { await tracing.shutdown() })
      const services = new TaskServices({ node, config: init.config, privateKey: init.privateKey, db, log, now, metrics, access, peers: peerTrust, store, audit: taskAudit, tracing, isApiToken: (t) => apiToken !== undefined && t === apiToken })
      const routes: Route[] = []
      const api = new ApiServer({ routes, maxBodyBytes: init.config.api.maxBodyBytes, a2aMaxBodyBytes: init.config.relay.maxMessageBytes, log: log.child({ component: 'api' }), acceptsToken: (t) => services.registry.byToken(t) != null })
      const daemon = new Daemon({ paths, node, log, lock, api, db, services, peerTrust, audit, tracing })
      if (init.config.audit.retentionDays > 0) {
        const prune = (): void => {
          try { audit.prune(now() - init.config.audit.retentionDays * 86_400_000) } catch (err) { log.warn({ err: (err as Error).message }, 'audit retention prune failed') }
        }
        prune()
        const timer = setInterval(prune, 3_600_000)
        timer.unref()
        daemon.cleanups.push(() => { clearInterval(timer) })
      }
      const trustInit = {
        store, peers: peerTrust, refusals, access, localPeer,
        reload: () => {
          store.load()
          peerTrust.refresh()
          daemon.logTrust()
          void daemon.rejoin(init.config)
        }
      }
      daemon.trust = () => trustView(trustInit)
      routes.push(...trustRoutes(trustInit))
      routes.push(...v1Routes(new NodeMeshControl({
        node,
        config: init.config,
        apiSocket: paths.apiSocket,
        apiTcp: () => daemon.apiTcp,
        startedAt: (init.now ?? Date.now)(),
        localAgents: services.localAgents,
        trust: () => daemon.trust(),
        ...(init.now != null ? { now: init.now } : {})
      })), ...services.routes)
      await peerTrust.start()
      undo.push(async () => { await peerTrust.stop() })
      await node.start()
      undo.push(async () => { await node.stop() })
      await services.start()
      undo.push(async () => { await services.stop() })
      daemon.cleanups.push(dialDiscoveredPeers(node, log), rememberPeers(node, peerBook, now))
      if (init.config.nat.reserve) daemon.cleanups.push(reserveOnRelays(node, log.child({ component: 'nat' })))
      await api.listenUnix(paths.apiSocket)
      undo.push(async () => { await api.close(); rmSync(paths.apiSocket, { force: true }) })
      if (init.config.api.tcp != null) {
        const token = apiToken = loadOrCreateApiToken(paths.apiToken)
        const at = init.config.api.tcp.lastIndexOf(':')
        const host = init.config.api.tcp.slice(0, at)
        const { port } = await api.listenTcp(host, Number(init.config.api.tcp.slice(at + 1)), token)
        daemon.apiTcp = `${host}:${port}`
      }
      if (init.config.telemetry.metricsListen != null) {
        const server = daemon.metricsServer = await serveMetrics({ registry: metrics.registry, listen: init.config.telemetry.metricsListen, log: log.child({ component: 'metrics' }) })
        undo.push(async () => { await server.close() })
      }
      redialKnownPeers(node, peerBook, init.config.connections.redialKnownPeers, log, daemon.background.signal)
        .catch((err: Error) => { log.warn({ err: err.message }, 'redial of known peers failed') })
      log.info({ addresses: node.getMultiaddrs().map(String), api: paths.apiSocket }, 'daemon started')
      daemon.logTrust()
      return daemon
    } catch (err) {
      for (const step of undo.reverse()) {
        try { await step() } catch {}
      }
      throw err
    }
  }

  /** Says, once per change, in which trust mode the daemon runs and what it lacks. */
  logTrust (): void {
    const t = this.trust()
    if (t.mode === 'open') {
      this.log.warn('OPEN MODE (lab): any peer may connect and send tasks to any agent; no certificate or policy is checked')
    } else if (t.problem != null) {
      this.log.warn({ reason: t.problem.code }, `closed mesh: waiting for a certificate (${t.problem.message}). Get a join bundle from your mesh's authority and run: agentmesh join FILE (or start with --open for a lab)`)
    } else {
      this.log.info({ serial: t.certificate?.serial, issuer: t.certificate?.issuer, policy: t.policy?.version }, 'closed mesh: certificate in force')
    }
  }

  /** Dials the bootstrap and remembered peers again (after joining a mesh, refused peers may now admit us). */
  private async rejoin (config: Config): Promise<void> {
    for (const addr of config.bootstrap) {
      void this.node.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) }).catch(() => {})
    }
  }

  /** Peer ID, addresses and API endpoints, for the ready line. */
  ready (): ReadyInfo {
    return {
      peerId: this.node.peerId.toString(),
      addresses: this.node.getMultiaddrs().map(String),
      apiSocket: this.paths.apiSocket,
      apiTcp: this.apiTcp,
      metrics: this.metricsServer?.address ?? null
    }
  }

  /** Stops everything: API first (no new work), then the node, then the store and the lock. Idempotent. */
  async stop (): Promise<void> {
    this.stopping ??= this.doStop()
    await this.stopping
  }

  private async doStop (): Promise<void> {
    this.log.info('daemon stopping')
    this.background.abort()
    for (const c of this.cleanups) c()
    await this.api.close().catch((err: Error) => { this.log.warn({ err: err.message }, 'api close failed') })
    await this.metricsServer?.close().catch(() => {})
    rmSync(this.paths.apiSocket, { force: true })
    try { await this.services.stop() } catch (err) { this.log.warn({ err: (err as Error).message }, 'task services stop failed') }
    // The last tasks' spans are exported before the process goes (bounded: a dead collector does not hold the stop).
    await this.tracing.shutdown()
    try { await this.peerTrust.stop() } catch {}
    try { await this.node.stop() } catch (err) { this.log.warn({ err: (err as Error).message }, 'node stop failed') }
    try { this.audit.stop() } catch (err) { this.log.warn({ err: (err as Error).message }, 'audit stop failed') }
    try { this.db.close() } catch {}
    this.lock.release()
    this.log.info('daemon stopped')
  }
}
