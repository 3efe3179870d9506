import { createServer, connect, type Server, type Socket } from 'node:net'
import { ConnectionFailedError, serviceCapabilities, transportSymbol, TypedEventEmitter, type ComponentLogger, type CreateListenerOptions, type DialTransportOptions, type Listener, type ListenerEvents, type Logger, type MultiaddrConnection, type PeerId, type Transport } from '@libp2p/interface'
import { AbstractMultiaddrConnection } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Uint8ArrayList } from 'uint8arraylist'
import { SILENT_LIBP2P_LOGGER } from './libp2p-logger.js'

/**
 * Connections between the worker processes of a run (`--between-workers tunnel`, the default).
 *
 * Over `@libp2p/tcp`, every connection between two nodes of different workers is a socket, and
 * each socket end is a file descriptor: this machine allows 20,000 per process, which held a
 * worker to ≈ 900 nodes. Here each pair of workers shares **one** TCP socket (a "link"), and a
 * node's connection is a numbered stream of frames on it; within a worker the same frames are
 * handed over in-process. Noise, Yamux, identify and everything above run unchanged on top of
 * each connection, as over the memory transport in one process; `--latency` delays every frame
 * on arrival, between workers as within one (FIFO: Node runs timers of one duration in order).
 *
 * A node listens on `/memory/<prefix>-<i>` (the run's prefix, the same in every worker); a dial
 * to a node of another worker sends OPEN over the link to its owner, which answers ACCEPT, or
 * REFUSE when nothing listens there (the dial fails, as a refused TCP connection would).
 * Frame: u32 length of what follows, u8 type, u8 side (0: from the dialling end, 1: from the
 * listening end), u32 connection id (the dialling hub's), payload.
 */

const OPEN = 1
const ACCEPT = 2
const REFUSE = 3
const DATA = 4
const END = 5
const RESET = 6
const HEADER = 10
/** Sides: which end of a connection sent a frame. */
const FROM_DIALER = 0
const FROM_LISTENER = 1
/** How long a dial waits for the other hub's ACCEPT (the dial's own signal may end it sooner). */
const OPEN_TIMEOUT_MS = 30_000
/** Frame types' names, for errors. */
const NAMES: Record<number, string> = { [OPEN]: 'OPEN', [ACCEPT]: 'ACCEPT', [REFUSE]: 'REFUSE', [DATA]: 'DATA', [END]: 'END', [RESET]: 'RESET' }

export class TunnelError extends Error {
  readonly code: string
  constructor (code: string, message: string) {
    super(message)
    this.name = 'TunnelError'
    this.code = code
  }
}

/** Where a hub listens for its peers' links, and who it is. */
export interface TunnelPeer { worker: number, host: string, port: number }

export interface TunnelHubInit {
  /** This worker's index, and how many workers the run has. */
  worker: number
  workers: number
  /** The run's address prefix: nodes listen on `/memory/${prefix}-${i}`. */
  prefix: string
  /** Node i's owner (the worker that runs it). */
  ownerOf: (i: number) => number
  /** Shared by every worker of the run: a link that does not present it is closed. */
  secret: string
  /** Added to every frame on arrival (ms). */
  latencyMs: number
}

/** One end of a link: sends frames to a hub (another worker's over a socket, or this one's). */
interface Link {
  readonly peer: number
  send: (type: number, side: number, id: number, payload?: Uint8Array | Uint8ArrayList) => void
  /** This hub's dialling ends on this link, by id. */
  readonly dialers: Map<number, TunnelConnection>
  /** This hub's listening ends on this link, by the dialling hub's id. */
  readonly listeners: Map<number, TunnelConnection>
  /** Dials on this link waiting for ACCEPT or REFUSE. */
  readonly pending: Map<number, { resolve: () => void, reject: (err: Error) => void }>
}

/** A node's connection: one end of a numbered stream of frames on a link. */
class TunnelConnection extends AbstractMultiaddrConnection {
  constructor (private readonly link: Link, private readonly id: number, private readonly side: number, init: { remoteAddr: Multiaddr, direction: 'inbound' | 'outbound', log: Logger }) {
    super(init)
    this.addEventListener('close', () => { this.forget() })
  }

  forget (): void {
    const map = this.side === FROM_DIALER ? this.link.dialers : this.link.listeners
    if (map.get(this.id) === this) map.delete(this.id)
  }

  sendData (data: Uint8ArrayList): { sentBytes: number, canSendMore: boolean } {
    this.link.send(DATA, this.side, this.id, data)
    return { sentBytes: data.byteLength, canSendMore: true }
  }

  sendReset (): void {
    this.link.send(RESET, this.side, this.id)
    this.forget()
  }

  async sendClose (): Promise<void> {
    this.link.send(END, this.side, this.id)
  }

  sendPause (): void {
    // no read back-pressure, as over the memory transport
  }

  sendResume (): void {
  }
}

/**
 * One per worker process: the links to the other workers, the listening nodes of this worker,
 * and the transport its nodes use (`transport()`).
 */
export class TunnelHub {
  private readonly init: TunnelHubInit
  private readonly links = new Map<number, Link>()
  private readonly listening = new Map<string, (maConn: MultiaddrConnection) => void>()
  private readonly sockets = new Set<Socket>()
  private readonly linked: Array<() => void> = []
  private server: Server | undefined
  private nextId = 1
  private closed = false
  private readonly addressPattern: RegExp

  constructor (init: TunnelHubInit) {
    this.init = init
    this.addressPattern = new RegExp(`^/memory/${init.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)(?:/p2p/[^/]+)?$`)
    this.links.set(init.worker, this.loopLink())
  }

  /** The address node `i` listens on. */
  address (i: number): string {
    return `/memory/${this.init.prefix}-${i}`
  }

  /** The node index an address of this run names, or undefined. */
  indexOf (addr: string): number | undefined {
    const m = this.addressPattern.exec(addr)
    return m == null ? undefined : Number(m[1])
  }

  /** Listens for the links of workers with a lower index (they dial this one). */
  async listen (host: string): Promise<TunnelPeer> {
    const server = createServer((socket) => { this.accept(socket) })
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, host, () => { server.off('error', reject); resolve() })
    })
    const a = server.address()
    if (a == null || typeof a === 'string') throw new TunnelError('LISTEN_FAILED', `the tunnel hub could not listen on ${host}`)
    return { worker: this.init.worker, host, port: a.port }
  }

  /** Dials every worker with a higher index, then waits until every other worker's link is up. */
  async link (peers: readonly TunnelPeer[], signal: AbortSignal): Promise<void> {
    for (const p of peers) {
      if (p.worker <= this.init.worker) continue
      const socket = connect({ host: p.host, port: p.port })
      socket.setNoDelay(true)
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve)
        socket.once('error', (err) => { reject(new TunnelError('LINK_FAILED', `worker ${this.init.worker} could not reach worker ${p.worker}'s tunnel at ${p.host}:${p.port}: ${err.message}`)) })
      })
      const hello = Buffer.from(JSON.stringify({ worker: this.init.worker, secret: this.init.secret }))
      const len = Buffer.alloc(4)
      len.writeUInt32BE(hello.length)
      socket.write(Buffer.concat([len, hello]))
      socket.on('error', () => {})
      this.receive(this.attach(p.worker, socket), socket)
    }
    const want = this.init.workers
    if (this.links.size >= want) return
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { reject(new TunnelError('LINK_TIMEOUT', `worker ${this.init.worker} has ${this.links.size - 1} of ${want - 1} tunnel links`)) }
      signal.addEventListener('abort', onAbort, { once: true })
      this.linked.push(() => {
        if (this.links.size >= want) { signal.removeEventListener('abort', onAbort); resolve() }
      })
    })
  }

  /** Links open to other workers. */
  get linkCount (): number {
    return this.links.size - 1
  }

  /** Open connection ends of this worker's nodes: to nodes of this worker, and to other workers'. */
  connectionEnds (): { local: number, remote: number } {
    let local = 0
    let remote = 0
    for (const l of this.links.values()) {
      const n = l.dialers.size + l.listeners.size
      if (l.peer === this.init.worker) local += n
      else remote += n
    }
    return { local, remote }
  }

  /** The libp2p transport for this worker's nodes. */
  transport (): (components: { peerId: PeerId, logger: ComponentLogger }) => Transport {
    return (components) => new TunnelTransport(this, components)
  }

  /** Closes every link and connection. */
  close (): void {
    this.closed = true
    this.server?.close()
    for (const s of this.sockets) s.destroy()
    for (const l of this.links.values()) this.drop(l, new ConnectionFailedError('the tunnel hub closed'))
  }

  register (addr: string, onConnection: (maConn: MultiaddrConnection) => void): void {
    if (this.listening.has(addr)) throw new TunnelError('ADDRESS_IN_USE', `${addr} is already listened on`)
    this.listening.set(addr, onConnection)
  }

  unregister (addr: string): void {
    this.listening.delete(addr)
  }

  /**
   * Opens a connection to the node listening on `addr` (with or without its /p2p part: the
   * connection's remote address is `addr` as given, as the memory transport gives it).
   */
  async dial (target: string, from: string, log: Logger = silentLog, signal: AbortSignal = AbortSignal.timeout(OPEN_TIMEOUT_MS)): Promise<MultiaddrConnection> {
    const addr = target.replace(/\/p2p\/[^/]+$/, '')
    const i = this.indexOf(addr)
    if (i === undefined) throw new ConnectionFailedError(`${addr} is not an address of this run`)
    const link = this.links.get(this.init.ownerOf(i))
    if (link == null) throw new ConnectionFailedError(`no tunnel link to worker ${this.init.ownerOf(i)} (node ${i})`)
    const id = this.nextId++
    const conn = new TunnelConnection(link, id, FROM_DIALER, { remoteAddr: multiaddr(target), direction: 'outbound', log: log.newScope(`tunnel:${id}`) })
    link.dialers.set(id, conn)
    const accepted = new Promise<void>((resolve, reject) => { link.pending.set(id, { resolve, reject }) })
    link.send(OPEN, FROM_DIALER, id, Buffer.from(JSON.stringify({ to: addr, from })))
    const timeout = AbortSignal.timeout(OPEN_TIMEOUT_MS)
    const both = AbortSignal.any([signal, timeout])
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => { reject(both.reason instanceof Error ? both.reason : new ConnectionFailedError(`dial to ${addr} aborted`)) }
        if (both.aborted) { onAbort(); return }
        both.addEventListener('abort', onAbort, { once: true })
        accepted.then(resolve, reject).finally(() => { both.removeEventListener('abort', onAbort) })
      })
    } catch (err) {
      link.pending.delete(id)
      link.dialers.delete(id)
      if (!(err instanceof ConnectionFailedError)) link.send(RESET, FROM_DIALER, id)
      throw err
    }
    return conn
  }

  /** Frames this hub sends to itself (nodes of one worker): handed over in-process, after the latency. */
  private loopLink (): Link {
    const link: Link = {
      peer: this.init.worker,
      dialers: new Map(),
      listeners: new Map(),
      pending: new Map(),
      send: (type, side, id, payload) => {
        // Handed over as they are, as the memory transport does.
        this.arrive(link, type, side, id, payload)
      }
    }
    return link
  }

  /** A link over `socket` to worker `peer`: frames read from it are acted on. */
  private attach (peer: number, socket: Socket): Link | undefined {
    if (this.links.has(peer) || this.closed) {
      socket.destroy()
      return undefined
    }
    this.sockets.add(socket)
    const link: Link = {
      peer,
      dialers: new Map(),
      listeners: new Map(),
      pending: new Map(),
      send: (type, side, id, payload) => {
        if (socket.destroyed) return
        const header = Buffer.allocUnsafe(HEADER)
        const size = payload?.byteLength ?? 0
        header.writeUInt32BE(HEADER - 4 + size, 0)
        header.writeUInt8(type, 4)
        header.writeUInt8(side, 5)
        header.writeUInt32BE(id, 6)
        if (payload == null) { socket.write(header); return }
        socket.cork()
        socket.write(header)
        if (payload instanceof Uint8Array) socket.write(payload)
        else for (const chunk of payload) socket.write(chunk)
        socket.uncork()
      }
    }
    this.links.set(peer, link)
    socket.on('close', () => {
      this.sockets.delete(socket)
      if (this.links.get(peer) === link) this.links.delete(peer)
      this.drop(link, new ConnectionFailedError(`the tunnel link to worker ${peer} closed`))
    })
    for (const l of this.linked) l()
    return link
  }

  /** Frames of a link this hub dialled. */
  private receive (link: Link | undefined, socket: Socket): void {
    if (link == null) return
    readFrames(socket, (frame) => { this.frame(link, frame) })
  }

  /** An incoming link: its first frame names the worker and carries the run's secret; the rest are the link's. */
  private accept (socket: Socket): void {
    socket.setNoDelay(true)
    socket.on('error', () => {})
    let link: Link | undefined
    readFrames(socket, (frame) => {
      if (link != null) { this.frame(link, frame); return }
      const refuse = (why: string): void => {
        socket.destroy()
        process.emitWarning(`tunnel: refused a link from ${socket.remoteAddress ?? '?'}: ${why}`)
      }
      let hello: { worker?: unknown, secret?: unknown }
      try { hello = JSON.parse(frame.toString('utf8')) } catch { refuse('its hello is not JSON'); return }
      if (hello.secret !== this.init.secret) { refuse('wrong secret'); return }
      if (typeof hello.worker !== 'number' || !Number.isInteger(hello.worker) || hello.worker < 0 || hello.worker >= this.init.worker) {
        refuse(`worker ${String(hello.worker)} should not dial worker ${this.init.worker}`)
        return
      }
      link = this.attach(hello.worker, socket)
    })
  }

  /** A frame read from a link's socket (without its length). */
  private frame (link: Link, frame: Buffer): void {
    if (frame.length < HEADER - 4) throw new TunnelError('BAD_FRAME', `a ${frame.length}-byte frame from worker ${link.peer}`)
    // Copied out of the read buffer: libp2p keeps received chunks (and Node reuses nothing here, but
    // a subarray would pin the whole socket chunk in memory).
    this.arrive(link, frame.readUInt8(0), frame.readUInt8(1), frame.readUInt32BE(2), frame.length > HEADER - 4 ? Uint8Array.prototype.slice.call(frame, HEADER - 4) : undefined)
  }

  /** A frame arrives on `link`: after the latency, act on it. */
  private arrive (link: Link, type: number, side: number, id: number, payload: Uint8Array | Uint8ArrayList | undefined): void {
    if (this.init.latencyMs > 0) setTimeout(() => { this.handle(link, type, side, id, payload) }, this.init.latencyMs)
    else queueMicrotask(() => { this.handle(link, type, side, id, payload) })
  }

  private handle (link: Link, type: number, side: number, id: number, payload: Uint8Array | Uint8ArrayList | undefined): void {
    if (this.closed) return
    switch (type) {
      case OPEN: {
        let to = ''
        let from = ''
        try {
          const o = JSON.parse(Buffer.from(payload instanceof Uint8Array ? payload : (payload?.subarray() ?? new Uint8Array())).toString('utf8')) as { to?: unknown, from?: unknown }
          to = typeof o.to === 'string' ? o.to : ''
          from = typeof o.from === 'string' ? o.from : ''
        } catch {}
        const onConnection = this.listening.get(to)
        if (onConnection == null) {
          link.send(REFUSE, FROM_LISTENER, id, Buffer.from(`nothing listens at ${to === '' ? '(no address)' : to}`))
          return
        }
        const conn = new TunnelConnection(link, id, FROM_LISTENER, { remoteAddr: multiaddr(`${to}-outgoing/p2p/${from}`), direction: 'inbound', log: silentLog })
        link.listeners.set(id, conn)
        link.send(ACCEPT, FROM_LISTENER, id)
        onConnection(conn)
        return
      }
      case ACCEPT:
      case REFUSE: {
        const p = link.pending.get(id)
        if (p == null) {
          // The dial gave up before the answer: tell the listening end.
          if (type === ACCEPT) link.send(RESET, FROM_DIALER, id)
          return
        }
        link.pending.delete(id)
        if (type === ACCEPT) p.resolve()
        else p.reject(new ConnectionFailedError(Buffer.from(payload instanceof Uint8Array ? payload : (payload?.subarray() ?? new Uint8Array())).toString('utf8')))
        return
      }
      case DATA:
      case END:
      case RESET: {
        const conn = side === FROM_DIALER ? link.listeners.get(id) : link.dialers.get(id)
        if (conn == null) return
        if (type === DATA) {
          if (conn.status === 'open' && payload != null && payload.byteLength > 0) conn.onData(payload)
        } else {
          conn.forget()
          if (type === END) conn.onTransportClosed()
          else conn.onRemoteReset()
        }
        return
      }
      default:
        throw new TunnelError('BAD_FRAME', `frame type ${type} (${NAMES[type] ?? 'unknown'}) from worker ${link.peer}`)
    }
  }

  /** A link is gone: every connection on it fails. */
  private drop (link: Link, err: Error): void {
    for (const p of link.pending.values()) p.reject(err)
    link.pending.clear()
    for (const c of [...link.dialers.values(), ...link.listeners.values()]) c.abort(err)
    link.dialers.clear()
    link.listeners.clear()
  }
}

/** Calls `onFrame` with each length-prefixed frame read from `socket` (without its length). */
function readFrames (socket: Socket, onFrame: (frame: Buffer) => void): void {
  let buffered: Buffer = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
    let offset = 0
    while (buffered.length - offset >= 4) {
      const size = buffered.readUInt32BE(offset)
      if (buffered.length - offset - 4 < size) break
      onFrame(buffered.subarray(offset + 4, offset + 4 + size))
      offset += 4 + size
      if (socket.destroyed) return
    }
    buffered = offset === buffered.length ? Buffer.alloc(0) : buffered.subarray(offset)
  })
}

/** Logs nothing (the listening ends' connections: libp2p gives a logger to dials only). */
const silentLog: Logger = SILENT_LIBP2P_LOGGER.forComponent('sim-tunnel')

class TunnelTransport implements Transport {
  readonly [transportSymbol] = true
  readonly [Symbol.toStringTag] = '@agentmesh/sim-tunnel'
  readonly [serviceCapabilities] = ['@libp2p/transport']

  constructor (private readonly hub: TunnelHub, private readonly components: { peerId: PeerId, logger: ComponentLogger }) {}

  async dial (ma: Multiaddr, options: DialTransportOptions): Promise<import('@libp2p/interface').Connection> {
    options.signal.throwIfAborted()
    const maConn = await this.hub.dial(ma.toString(), this.components.peerId.toString(), this.components.logger.forComponent('agentmesh:sim-tunnel'), options.signal)
    try {
      return await options.upgrader.upgradeOutbound(maConn, options)
    } catch (err) {
      maConn.abort(err as Error)
      throw err
    }
  }

  createListener (options: CreateListenerOptions): Listener {
    return new TunnelListener(this.hub, options)
  }

  readonly listenFilter = (multiaddrs: Multiaddr[]): Multiaddr[] => multiaddrs.filter((ma) => this.hub.indexOf(ma.toString()) !== undefined)
  readonly dialFilter = this.listenFilter
}

class TunnelListener extends TypedEventEmitter<ListenerEvents> implements Listener {
  private addr: Multiaddr | undefined
  private readonly shutdown = new AbortController()

  constructor (private readonly hub: TunnelHub, private readonly options: CreateListenerOptions) {
    super()
  }

  async listen (ma: Multiaddr): Promise<void> {
    const addr = ma.decapsulateCode(421).toString()
    this.hub.register(addr, (maConn) => {
      this.options.upgrader.upgradeInbound(maConn, { signal: this.shutdown.signal }).catch((err: Error) => { maConn.abort(err) })
    })
    this.addr = multiaddr(addr)
    queueMicrotask(() => { this.safeDispatchEvent('listening') })
  }

  getAddrs (): Multiaddr[] {
    return this.addr == null ? [] : [this.addr]
  }

  updateAnnounceAddrs (): void {}

  async close (): Promise<void> {
    if (this.addr != null) this.hub.unregister(this.addr.toString())
    this.shutdown.abort()
    queueMicrotask(() => { this.safeDispatchEvent('close') })
  }
}
