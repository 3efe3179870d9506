import { pbStream } from '@libp2p/utils'
import type { Connection, PeerId, Stream, StreamMiddleware } from '@libp2p/interface'
import { Hello } from '../pb/agentmesh.js'
import type { Verifier } from '../envelope/index.js'
import type { MeshNode } from '../node/index.js'
import type { Logger, Metrics } from '../telemetry/index.js'
import type { Certificate } from './certificate.js'
import { EXPIRY_SWEEP_MS, HELLO_PROTOCOL, HELLO_TIMEOUT_MS, JOIN_BACKOFF_MS, MAX_HELLO_BYTES } from './constants.js'
import { TrustError } from './errors.js'
import { OpenedCertificates } from './opened-certificates.js'
import { SweepSchedule } from './sweep-schedule.js'
import type { RefusalList } from './refusals.js'
import type { TrustStore } from './trust-store.js'

/** What {@link PeerTrust} needs. */
export interface PeerTrustInit {
  node: MeshNode
  store: TrustStore
  refusals: RefusalList
  verifier: Verifier
  /** The mesh name: a hello from another mesh is refused. */
  mesh: string
  /** Lab mode: hellos are exchanged, but nobody is refused and nothing waits for them. */
  open: boolean
  now: () => number
  log: Logger
  metrics: Metrics
  /** Records a refusal (the audit log). */
  audit?: (peer: string, code: string, message: string) => void
}

interface Waiter { promise: Promise<void>, resolve: () => void, reject: (err: Error) => void }

/**
 * The closed mesh at the connection level. Right after a connection opens,
 * the dialling side runs the hello exchange: each daemon presents its
 * certificate and the newest signed policy and revocation list it holds.
 * Until a peer's certificate has verified, every other protocol stream with
 * it, in either direction, waits (a libp2p stream middleware); a peer whose
 * certificate does not verify is refused: its streams fail, its connections
 * close, it leaves the DHT routing table and it is kept off for a while.
 * Newer documents learned in a hello are passed on to every other verified
 * peer with a new hello, so an update spreads through the mesh without a
 * central server.
 */
export class PeerTrust {
  private readonly init: PeerTrustInit
  private readonly verified = new Map<string, Certificate>()
  private readonly waiters = new Map<string, Waiter>()
  private readonly stopped = new AbortController()
  private sweepTimer: ReturnType<typeof setInterval> | undefined
  private spreadTimer: ReturnType<typeof setTimeout> | undefined
  private readonly listeners: Array<() => void> = []
  private readonly certificates: OpenedCertificates
  private readonly schedule = new SweepSchedule()

  constructor (init: PeerTrustInit) {
    this.init = init
    this.certificates = new OpenedCertificates(init.verifier)
  }

  get open (): boolean {
    return this.init.open
  }

  /** Registers the hello protocol and the gate; starts watching connections and expiries. */
  async start (): Promise<void> {
    const { node } = this.init
    await node.handle(HELLO_PROTOCOL, this.handle, { maxInboundStreams: 4, maxOutboundStreams: 4, runOnLimitedConnection: true })
    installGate(node, this.gate)
    node.addEventListener('connection:open', this.onOpen)
    node.addEventListener('peer:disconnect', this.onDisconnect)
    this.sweepTimer = setInterval(() => { this.sweep() }, EXPIRY_SWEEP_MS)
    this.sweepTimer.unref?.()
  }

  async stop (): Promise<void> {
    this.stopped.abort()
    clearInterval(this.sweepTimer)
    clearTimeout(this.spreadTimer)
    this.init.node.removeEventListener('connection:open', this.onOpen)
    this.init.node.removeEventListener('peer:disconnect', this.onDisconnect)
    for (const w of this.waiters.values()) w.reject(new TrustError('HELLO_FAILED', 'the daemon is stopping'))
    this.waiters.clear()
  }

  /** Calls `listener` whenever the set of verified peers or the held documents change. */
  onChange (listener: () => void): void {
    this.listeners.push(listener)
  }

  /**
   * The verified certificate of a connected peer, if it is valid now. In open
   * mode too this is only a certificate that verified.
   */
  certificateOf (peer: string): Certificate | undefined {
    const cert = this.verified.get(peer)
    if (cert == null) return undefined
    try {
      this.init.store.check(cert, peer)
      return cert
    } catch {
      return undefined
    }
  }

  /** The connected peers whose certificates verified, with them. */
  verifiedPeers (): Array<{ peer: string, cert: Certificate }> {
    return [...this.verified].map(([peer, cert]) => ({ peer, cert }))
  }

  /**
   * After this host's own trust changed (a bundle joined, a policy pushed):
   * forget refusals, say hello again on every connection, and dial the peers
   * that a missing certificate had kept away.
   */
  refresh (): void {
    this.init.refusals.clear()
    this.sweep()
    for (const conn of this.init.node.getConnections()) void this.initiate(conn)
    this.changed()
  }

  /** Waits until `peer` is verified; throws if it is refused or the hello does not finish in time. */
  async waitVerified (peer: string, signal?: AbortSignal): Promise<void> {
    if (this.init.open || this.certificateOf(peer) != null) return
    const refused = this.init.refusals.reason(peer)
    if (refused !== undefined) throw new TrustError('PEER_REFUSED', `peer ${peer} was refused: ${refused}`)
    let w = this.waiters.get(peer)
    if (w == null) {
      let resolve!: () => void
      let reject!: (err: Error) => void
      const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej })
      promise.catch(() => {})
      w = { promise, resolve, reject }
      this.waiters.set(peer, w)
    }
    const timeout = AbortSignal.timeout(HELLO_TIMEOUT_MS)
    const abort = signal != null ? AbortSignal.any([signal, timeout, this.stopped.signal]) : AbortSignal.any([timeout, this.stopped.signal])
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { reject(timeout.aborted ? new TrustError('HELLO_FAILED', `no verified hello from ${peer} within ${HELLO_TIMEOUT_MS} ms`) : abort.reason) }
      abort.addEventListener('abort', onAbort, { once: true })
      w.promise.then(() => { abort.removeEventListener('abort', onAbort); resolve() }, (err) => { abort.removeEventListener('abort', onAbort); reject(err) })
    })
  }

  /** The stream middleware: every protocol but hello waits for the peer's certificate. */
  private readonly gate: StreamMiddleware = (stream, connection, next) => {
    const peer = connection.remotePeer.toString()
    if (this.init.open || this.verified.has(peer)) { next(stream, connection); return }
    return this.waitVerified(peer).then(() => { next(stream, connection) })
  }

  private readonly onOpen = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    if (conn.direction === 'outbound') {
      void this.initiate(conn)
      return
    }
    if (this.init.open) return
    // The dialler says hello first; one that never does is refused.
    const peer = conn.remotePeer.toString()
    const timer = setTimeout(() => {
      if (conn.status === 'open' && !this.verified.has(peer) && this.init.refusals.reason(peer) === undefined) {
        this.refuse(conn.remotePeer, new TrustError('HELLO_FAILED', `no hello within ${HELLO_TIMEOUT_MS} ms`), true, JOIN_BACKOFF_MS)
      }
    }, HELLO_TIMEOUT_MS)
    timer.unref?.()
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    // A new connection says hello again: certificates may have changed meanwhile.
    this.verified.delete(evt.detail.toString())
  }

  /** Says hello on `conn` as the initiator and judges the answer. */
  private async initiate (conn: Connection): Promise<void> {
    const peer = conn.remotePeer
    let stream: Stream | undefined
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(HELLO_TIMEOUT_MS), this.stopped.signal])
      stream = await conn.newStream(HELLO_PROTOCOL, { signal, runOnLimitedConnection: true })
      const messages = pbStream(stream, { maxDataLength: MAX_HELLO_BYTES }).pb(Hello)
      await messages.write(this.ownHello(), { signal })
      const reply = await messages.read({ signal })
      await stream.close({ signal }).catch(() => {})
      if (reply.refusal !== '') {
        this.init.log.warn({ remotePeer: peer.toString(), reason: reply.refusal }, 'peer refused this host')
        this.init.metrics.peersRefused.inc({ reason: 'REFUSED_BY_PEER' })
        if (!this.init.open) this.refuse(peer, new TrustError('REFUSED_BY_PEER', `the peer refused this host: ${reply.refusal}`), false)
        return
      }
      const problem = this.judge(peer.toString(), reply)
      if (problem != null && !this.init.open) this.refuse(peer, problem)
    } catch (err) {
      stream?.abort(err as Error)
      if (this.stopped.signal.aborted || conn.status !== 'open') return
      if (!this.init.open && !this.verified.has(peer.toString())) this.refuse(peer, new TrustError('HELLO_FAILED', `hello failed: ${(err as Error).message}`), true, JOIN_BACKOFF_MS)
    }
  }

  /** The hello handler (the responder's side). */
  private readonly handle = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(HELLO_TIMEOUT_MS), this.stopped.signal])
      const messages = pbStream(stream, { maxDataLength: MAX_HELLO_BYTES }).pb(Hello)
      const hello = await messages.read({ signal })
      const problem = this.judge(peer.toString(), hello)
      const refusing = problem != null && !this.init.open
      await messages.write(this.ownHello(refusing ? `${problem.code}: ${problem.message}` : ''), { signal })
      await stream.close({ signal }).catch(() => {})
      if (refusing) this.refuse(peer, problem)
    } catch (err) {
      stream.abort(err as Error)
      if (!this.init.open && !this.verified.has(peer.toString())) this.refuse(peer, new TrustError('HELLO_FAILED', `hello failed: ${(err as Error).message}`), true, JOIN_BACKOFF_MS)
    }
  }

  private ownHello (refusal = ''): Hello {
    const own = this.init.store.certificate()
    const docs = this.init.store.documents()
    return {
      certificate: (own?.bytes ?? new Uint8Array(0)) as Uint8Array<ArrayBuffer>,
      policies: docs.policies as Array<Uint8Array<ArrayBuffer>>,
      revocations: docs.revocations as Array<Uint8Array<ArrayBuffer>>,
      mesh: this.init.mesh,
      refusal
    }
  }

  /**
   * Judges a peer's hello: same mesh, a certificate that verifies and is
   * valid for that peer now. Takes any newer documents it carries. Records
   * the peer as verified and returns undefined, or returns why not.
   */
  private judge (peer: string, hello: Hello): TrustError | undefined {
    const { store, log } = this.init
    if (hello.mesh !== this.init.mesh) return new TrustError('WRONG_MESH', `the peer belongs to mesh "${hello.mesh}", not "${this.init.mesh}"`)
    let cert: Certificate
    try {
      cert = this.certificates.open(hello.certificate)
      store.check(cert, peer)
    } catch (err) {
      return err instanceof TrustError ? err : new TrustError('MALFORMED_CERTIFICATE', (err as Error).message)
    }
    const taken = store.offer({ policies: hello.policies, revocations: hello.revocations }, (err) => {
      log.warn({ remotePeer: peer, err: err.message }, 'ignoring a signed document from a peer')
    })
    if (taken > 0) this.spreadSoon()
    try {
      store.check(cert, peer)
    } catch (err) {
      return err as TrustError
    }
    const known = this.verified.has(peer)
    this.verified.set(peer, cert)
    this.schedule.add(cert)
    if (!known) {
      this.init.metrics.peersVerified.inc()
      log.info({ remotePeer: peer, serial: cert.serial, agents: cert.agents.map((a) => a.name) }, 'peer certificate verified')
      this.changed()
    }
    const w = this.waiters.get(peer)
    if (w != null) { this.waiters.delete(peer); w.resolve() }
    return undefined
  }

  /**
   * Refuses a peer: counted and logged with the reason, kept off for a while,
   * out of the routing table, its waiting streams failed and its connections
   * closed. A peer that showed a bad certificate is kept off for the full
   * back-off; one whose hello merely did not finish (a timeout, the stream or
   * connection closed: a busy or restarting peer, or one that refused us
   * first) and one that can fix its refusal by joining only for the short
   * join back-off, so that a transient failure does not cut two honest
   * daemons apart for half a minute and cascade through the mesh.
   */
  private refuse (peer: PeerId, why: TrustError, count = true, backoffMs?: number): void {
    const id = peer.toString()
    if (count) {
      this.init.audit?.(id, why.code, why.message)
      this.init.metrics.peersRefused.inc({ reason: why.code })
      this.init.log.warn({ remotePeer: id, reason: why.code }, `peer refused: ${why.message}`)
    }
    const joinable = why.code === 'NO_CERTIFICATE' || why.code === 'REFUSED_BY_PEER'
    const short = backoffMs ?? (joinable ? JOIN_BACKOFF_MS : undefined)
    this.init.refusals.refuse(id, `${why.code}: ${why.message}`, ...(short !== undefined ? [short] : []))
    const known = this.verified.delete(id)
    const w = this.waiters.get(id)
    if (w != null) { this.waiters.delete(id); w.reject(new TrustError('PEER_REFUSED', `peer ${id} was refused: ${why.code}: ${why.message}`)) }
    const table = (this.init.node.services.dht as unknown as { routingTable?: { remove?: (p: PeerId) => Promise<void> } }).routingTable
    void table?.remove?.(peer).catch(() => {})
    for (const conn of this.init.node.getConnections(peer)) {
      void conn.close({ signal: AbortSignal.timeout(1_000) }).catch(() => { conn.abort(why) })
    }
    if (known) this.changed()
  }

  /**
   * Refuses verified peers whose certificates have expired or been revoked since. Looks at them
   * only when something could have changed (see {@link SweepSchedule}).
   */
  private sweep (): void {
    const generation = this.init.store.generation
    if (!this.schedule.due(this.init.now(), generation)) return
    for (const [peer, cert] of [...this.verified]) {
      try {
        this.init.store.check(cert, peer)
      } catch (err) {
        const conn = this.init.node.getConnections().find((c) => c.remotePeer.toString() === peer)
        if (conn != null && !this.init.open) this.refuse(conn.remotePeer, err as TrustError)
        else this.verified.delete(peer)
      }
    }
    this.schedule.swept(generation, this.verified.values())
  }

  /** Newer documents arrived: re-check peers and pass them on with a new hello (debounced). */
  private spreadSoon (): void {
    if (this.spreadTimer !== undefined) return
    this.spreadTimer = setTimeout(() => {
      this.spreadTimer = undefined
      if (this.stopped.signal.aborted) return
      this.sweep()
      for (const conn of this.init.node.getConnections()) {
        if (this.verified.has(conn.remotePeer.toString()) || this.init.open) void this.initiate(conn)
      }
      this.changed()
    }, 50)
  }

  /** Call after this host's documents changed locally (`policy push`, `cert revoke` installed here). */
  documentsChanged (): void {
    this.spreadSoon()
  }

  private changed (): void {
    for (const l of this.listeners) l()
  }
}

/**
 * Puts `gate` in front of every protocol's middleware except hello's. libp2p
 * 3.3's registrar hands out its stored middleware array and the connection
 * then pushes the handler onto it (so registered middleware piles up, one
 * handler per stream); returning a fresh array per call avoids that too.
 */
function installGate (node: MeshNode, gate: StreamMiddleware): void {
  const registrar = (node as unknown as { components: { registrar: { getMiddleware: (protocol: string) => StreamMiddleware[] } } }).components.registrar
  const original = registrar.getMiddleware.bind(registrar)
  registrar.getMiddleware = (protocol: string) => protocol === HELLO_PROTOCOL ? [...original(protocol)] : [gate, ...original(protocol)]
}
