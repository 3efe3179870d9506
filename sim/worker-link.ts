import { fork } from 'node:child_process'
import { createHash, timingSafeEqual } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { WORKER_PROTOCOL_VERSION, type WorkerHello, type WorkerMessage, type WorkerRequest, type WorkerWelcome } from './worker-protocol.js'

/**
 * How the coordinator talks to one worker: the IPC channel of a worker it
 * forked ({@link forkWorker}), or newline-delimited JSON over a TCP socket
 * from a worker started by hand, on this machine or another
 * ({@link acceptWorkers}). Everything above this (the requests, their
 * timeouts, the failure of a run) is the same for both.
 */
export interface WorkerLink {
  /** The worker's process id (on its own machine). */
  readonly pid: number
  /** The IPv4 address the worker's nodes listen on (forked: 127.0.0.1; by hand: its `--host`). */
  readonly host: string
  /** Where the worker runs, for messages: `pid 123`, or `pid 123 on 10.0.0.2`. */
  readonly label: string
  /** The last lines the worker wrote (forked workers; a remote worker's output stays on its machine). */
  readonly tail: string[]
  /** Resolves once the worker is gone (exited, killed, or its socket closed). */
  readonly gone: Promise<void>
  send: (m: WorkerRequest) => void
  onMessage: (cb: (m: WorkerMessage) => void) => void
  /** Called once, when the worker is gone, with why (`exited with code 1`, `closed its connection`…). */
  onGone: (cb: (why: string) => void) => void
  /** Ends the worker now: SIGKILL for a forked one; a remote one's connection is closed, and it exits when it sees that. */
  kill: () => void
}

/**
 * The V8 flags every worker runs with. --expose-gc: memory is measured after a collection, as in
 * one process. --max-semi-space-size=64 (MB; as `npm run sim`): a mesh allocates short-lived
 * stream and promise objects by the million, and a larger young generation collects fewer of them
 * twice (sim/README.md, "What runs"). A worker started by hand re-runs itself with them.
 */
export const WORKER_EXEC_ARGV = ['--expose-gc', '--max-old-space-size=12000', '--max-semi-space-size=64', '--disable-warning=ExperimentalWarning']

/** Where the compiled worker is: next to this file in dist/, or (running from the TS sources, as vitest does) under dist/. */
export function workerScript (): string {
  const here = fileURLToPath(import.meta.url)
  return here.endsWith('.ts') ? join(dirname(here), '..', 'dist', 'sim', 'worker.js') : join(dirname(here), 'worker.js')
}

/** Forks the compiled worker on this machine; its nodes listen on 127.0.0.1. `forward`: copy its output to stderr. */
export function forkWorker (index: number, script: string, forward: boolean): WorkerLink {
  const child = fork(script, [], { execArgv: WORKER_EXEC_ARGV, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' })
  const tail: string[] = []
  for (const stream of [child.stdout, child.stderr]) {
    let partial = ''
    stream?.setEncoding('utf8')
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        tail.push(line)
        if (tail.length > 20) tail.shift()
        if (forward) process.stderr.write(`[worker ${index}] ${line}\n`)
      }
    })
  }
  const goneCallbacks: Array<(why: string) => void> = []
  let alive = true
  const gone = new Promise<void>((resolve) => {
    const end = (why: string): void => {
      if (!alive) return
      alive = false
      resolve()
      for (const cb of goneCallbacks.splice(0)) cb(why)
    }
    let spawned = false
    child.once('spawn', () => { spawned = true })
    child.on('error', (err) => {
      if (!spawned) { end(`could not be run: ${err.message}`); return }
      // A message sent to a worker that has just died (EPIPE, a closed channel): its exit, a
      // moment behind, says why it died; only if none comes is the failed send the reason.
      setTimeout(() => { end(`could not be sent a request: ${err.message}`) }, 2_000).unref()
    })
    child.on('exit', (code, signal) => { end(signal != null ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`) })
  })
  return {
    pid: child.pid ?? -1,
    host: '127.0.0.1',
    label: `pid ${child.pid ?? '?'}`,
    tail,
    gone,
    send: (m) => { child.send(m) },
    onMessage: (cb) => { child.on('message', cb) },
    onGone: (cb) => { goneCallbacks.push(cb) },
    kill: () => { if (alive) child.kill('SIGKILL') }
  }
}

/** Newline-delimited JSON on a socket: one message per line. */
export class LineChannel {
  private readonly lines: ReturnType<typeof createInterface>

  constructor (readonly socket: Socket) {
    socket.setNoDelay(true)
    this.lines = createInterface({ input: socket, crlfDelay: Infinity })
  }

  /** Writes one message; `then` runs once it is handed to the system (or the socket failed). */
  send (m: unknown, then?: () => void): void {
    this.socket.write(`${JSON.stringify(m)}\n`, () => { then?.() })
  }

  /** Every later line, parsed; a line that is not JSON closes the socket (the peer is not one of ours). */
  onMessage (cb: (m: unknown) => void): void {
    this.lines.on('line', (line) => {
      let m: unknown
      try {
        m = JSON.parse(line)
      } catch {
        this.socket.destroy(new Error('a line that is not JSON'))
        return
      }
      cb(m)
    })
  }

  /** The next line, parsed, or an error once `ms` pass or the socket closes first. */
  async next (ms: number): Promise<unknown> {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { done(); reject(new Error(`nothing within ${ms / 1000} s`)) }, ms)
      const onLine = (line: string): void => {
        done()
        try { resolve(JSON.parse(line)) } catch { reject(new Error('a line that is not JSON')) }
      }
      const onClose = (): void => { done(); reject(new Error('the connection closed')) }
      const done = (): void => {
        clearTimeout(timer)
        this.lines.off('line', onLine)
        this.socket.off('close', onClose)
      }
      this.lines.once('line', onLine)
      this.socket.once('close', onClose)
    })
  }
}

/** A worker that said hello with the right token and build, over its socket. */
function socketLink (channel: LineChannel, hello: WorkerHello): WorkerLink {
  const { socket } = channel
  const goneCallbacks: Array<(why: string) => void> = []
  const gone = new Promise<void>((resolve) => {
    socket.once('close', () => {
      resolve()
      for (const cb of goneCallbacks.splice(0)) cb('closed its connection to the coordinator (it exited, or its machine or the network failed)')
    })
  })
  socket.on('error', () => {}) // 'close' follows and says it.
  return {
    pid: hello.pid,
    host: hello.host,
    label: `pid ${hello.pid} on ${hello.host}`,
    tail: [],
    gone,
    send: (m) => { channel.send(m) },
    onMessage: (cb) => { channel.onMessage((m) => { cb(m as WorkerMessage) }) },
    onGone: (cb) => { goneCallbacks.push(cb) },
    kill: () => { socket.destroy() }
  }
}

/**
 * What identifies a build, so that workers on other machines run the same code
 * as the coordinator: SHA-256 over package-lock.json and every compiled file of
 * dist/src and dist/sim (their paths and contents). A worker of another build
 * would draw other keys from the same seed, or speak another protocol.
 */
export function buildFingerprint (): string {
  const here = fileURLToPath(import.meta.url)
  const root = here.endsWith('.ts') ? join(dirname(here), '..') : join(dirname(here), '..', '..')
  const hash = createHash('sha256')
  const lock = join(root, 'package-lock.json')
  if (existsSync(lock)) hash.update(readFileSync(lock))
  const walk = (dir: string, rel: string): void => {
    if (!existsSync(dir)) return
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) walk(join(dir, e.name), `${rel}/${e.name}`)
      else if (e.name.endsWith('.js')) hash.update(`${rel}/${e.name}\0`).update(readFileSync(join(dir, e.name)))
    }
  }
  walk(join(root, 'dist', 'src'), 'src')
  walk(join(root, 'dist', 'sim'), 'sim')
  return hash.digest('hex').slice(0, 16)
}

/** Where the coordinator waits for workers started by hand, and what they must present. */
export interface AcceptWorkersInit {
  /** `HOST:PORT` to listen on (port 0: any; see `onListening`). */
  listen: string
  count: number
  /** The shared secret a worker presents (AM_SIM_WORKER_TOKEN on its machine). */
  token: string
  /** Told the address once the coordinator listens (the command line to start workers with). */
  onListening?: (address: { host: string, port: number }) => void
  /** Told about each worker that joined or was turned away. */
  onEvent?: (line: string) => void
  /** How long to wait for all of them (ms). */
  timeoutMs: number
  signal?: AbortSignal
}

/** The first line from a connection must come within this (ms). */
const HELLO_TIMEOUT_MS = 10_000

/**
 * Listens on `init.listen` until `init.count` workers have connected and
 * presented the token and the coordinator's build (in the order they came;
 * worker i is the i-th accepted). A connection with a wrong token, another
 * build or protocol, or no hello within 10 s is told why and closed, and does
 * not count. Rejects when the time is up or `signal` aborts; the listening
 * socket is closed either way.
 */
export async function acceptWorkers (init: AcceptWorkersInit): Promise<WorkerLink[]> {
  const [host, portText] = splitHostPort(init.listen)
  const fingerprint = buildFingerprint()
  const expected = Buffer.from(createHash('sha256').update(init.token).digest())
  const links: WorkerLink[] = []
  const server: Server = createServer()
  const pending = new Set<Socket>()
  try {
    return await new Promise<WorkerLink[]>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${links.length} of ${init.count} workers connected within ${init.timeoutMs / 1000} s`)) }, init.timeoutMs)
      const abort = (): void => { clearTimeout(timer); reject(new Error('interrupted while waiting for workers')) }
      init.signal?.addEventListener('abort', abort, { once: true })
      server.on('error', (err) => { clearTimeout(timer); reject(new Error(`cannot listen for workers on ${init.listen}: ${err.message}`)) })
      server.on('connection', (socket) => {
        pending.add(socket)
        socket.on('error', () => {})
        const channel = new LineChannel(socket)
        const from = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
        const refuse = (why: string): void => {
          init.onEvent?.(`turned away a worker from ${from}: ${why}`)
          channel.send({ type: 'refused', error: why } satisfies WorkerWelcome, () => { socket.end() })
          setTimeout(() => { socket.destroy() }, 1000).unref()
          pending.delete(socket)
        }
        channel.next(HELLO_TIMEOUT_MS).then((m) => {
          const hello = m as Partial<WorkerHello>
          if (hello?.type !== 'hello') { refuse('its first message was not a hello'); return }
          const given = Buffer.from(createHash('sha256').update(String(hello.token ?? '')).digest())
          if (!timingSafeEqual(given, expected)) { refuse('wrong token (set AM_SIM_WORKER_TOKEN to the coordinator\'s)'); return }
          if (hello.protocol !== WORKER_PROTOCOL_VERSION) { refuse(`worker protocol ${String(hello.protocol)}, the coordinator's is ${WORKER_PROTOCOL_VERSION}`); return }
          if (hello.build !== fingerprint) { refuse(`another build (worker ${String(hello.build)}, coordinator ${fingerprint}): check out the same commit and run npm ci && npm run build on every machine`); return }
          if (typeof hello.host !== 'string' || !isIPv4(hello.host) || hello.host === '0.0.0.0') { refuse(`its --host ${JSON.stringify(hello.host)} is not an IPv4 address its nodes can be reached at`); return }
          if (links.length >= init.count) { refuse(`the run already has its ${init.count} workers`); return }
          pending.delete(socket)
          const index = links.length
          links.push(socketLink(channel, hello as WorkerHello))
          channel.send({ type: 'welcome', worker: index } satisfies WorkerWelcome)
          init.onEvent?.(`worker ${index} joined: pid ${String(hello.pid)} on ${hello.host} (${from})`)
          if (links.length === init.count) { clearTimeout(timer); init.signal?.removeEventListener('abort', abort); resolve(links) }
        }, (err: Error) => { refuse(`no hello: ${err.message}`) })
      })
      server.listen({ host, port: Number(portText) }, () => {
        const a = server.address() as AddressInfo
        init.onListening?.({ host: a.address, port: a.port })
      })
    })
  } catch (err) {
    for (const l of links) l.kill()
    throw err
  } finally {
    for (const s of pending) s.destroy()
    server.close()
  }
}

/** `HOST:PORT` → [host, port], or undefined for anything else (the coordinator's and the worker's option checks). */
export function parseHostPort (s: string): [string, string] | undefined {
  const m = /^([^:]+):(\d{1,5})$/.exec(s)
  return m == null || Number(m[2]) > 65535 ? undefined : [m[1] as string, m[2] as string]
}

/** `HOST:PORT` → [host, port]; throws on anything else. */
export function splitHostPort (s: string): [string, string] {
  const hp = parseHostPort(s)
  if (hp == null) throw new Error(`expected HOST:PORT, got ${JSON.stringify(s)}`)
  return hp
}

/** Whether `s` is a dotted IPv4 address (what a worker's nodes listen on: `/ip4/…`). */
export function isIPv4 (s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) && s.split('.').every((b) => Number(b) <= 255)
}
