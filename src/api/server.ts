import { chmodSync, rmSync } from 'node:fs'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { http } from '../builtin-http.js'
import { timingSafeEqual } from 'node:crypto'
import type { Socket } from 'node:net'
import { AgentmeshError } from '../errors.js'
import type { Logger } from '../telemetry/index.js'
import { ApiError, STATUS_BY_CODE } from './errors.js'
import { matchRoute, type Reply, type Route } from './router.js'
import { AbortGroup } from '../signals/index.js'

/** Longest path a Unix socket may have on Linux (sun_path is 108 bytes, NUL included). */
const MAX_SOCKET_PATH = 107

/** What {@link ApiServer} needs. */
export interface ApiServerInit {
  routes: readonly Route[]
  maxBodyBytes: number
  /** Largest body of an `/a2a/…` call (its request becomes a relay message); default `maxBodyBytes`. */
  a2aMaxBodyBytes?: number
  log: Logger
  /**
   * Other bearer tokens the TCP listener accepts beside the API token (agents'
   * caller tokens), for the `/a2a/…` routes only: an agent may call agents,
   * never manage the daemon (register agents, install trust documents).
   */
  acceptsToken?: (token: string) => boolean
}

/**
 * The local HTTP/1.1 + JSON API: a Unix socket (0600) and optionally a
 * loopback TCP port that demands a bearer token. A handler's failure becomes a
 * JSON error; nothing a client sends can take the daemon down.
 */
export class ApiServer {
  private readonly init: ApiServerInit
  private readonly servers: Server[] = []
  private readonly sockets = new Set<Socket>()
  /** In-flight requests: a shutdown aborts them all (no listener per request on a shared signal). */
  private readonly inFlight = new AbortGroup()

  constructor (init: ApiServerInit) {
    this.init = init
  }

  /** Listens on a Unix socket, replacing a stale one, and restricts it to the owner. */
  async listenUnix (path: string): Promise<void> {
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      throw new AgentmeshError('SOCKET_PATH_TOO_LONG', `API socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes; use a shorter --home`)
    }
    rmSync(path, { force: true })
    const server = this.createServer(undefined)
    await listen(server, { path })
    chmodSync(path, 0o600)
  }

  /** Listens on loopback TCP; every request must carry `Authorization: Bearer <token>`. */
  async listenTcp (host: string, port: number, token: string): Promise<{ port: number }> {
    const server = this.createServer(token)
    await listen(server, { host: host.replace(/^\[|\]$/g, ''), port })
    const address = server.address()
    return { port: typeof address === 'object' && address != null ? address.port : port }
  }

  /** Stops accepting, aborts in-flight requests (SSE included) and closes every connection. */
  async close (): Promise<void> {
    this.inFlight.abort(new DOMException('the daemon is stopping', 'AbortError'))
    for (const s of this.sockets) s.destroy()
    await Promise.all(this.servers.map(async (s) => new Promise<void>((resolve) => { s.close(() => { resolve() }) })))
  }

  private createServer (token: string | undefined): Server {
    const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`)
    const server = http.createServer({ requestTimeout: 0, headersTimeout: 30_000 }, (req, res) => {
      if (expected !== undefined && !authorized(req, expected) && !this.acceptsBearer(req)) {
        sendError(res, new ApiError(401, 'UNAUTHORIZED', 'missing or wrong bearer token (see api.token in the home)'))
        return
      }
      this.handle(req, res).catch((err) => {
        this.init.log.error({ err }, 'api handler crashed')
        if (!res.headersSent) sendError(res, err)
        else res.destroy()
      })
    })
    server.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)) })
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":{"code":"BAD_REQUEST","message":"malformed HTTP request"}}')
      else socket.destroy()
    })
    this.servers.push(server)
    return server
  }

  private maxBodyFor (path: string): number {
    const { maxBodyBytes, a2aMaxBodyBytes } = this.init
    return path.startsWith('/a2a/') && a2aMaxBodyBytes !== undefined ? Math.max(maxBodyBytes, a2aMaxBodyBytes) : maxBodyBytes
  }

  private acceptsBearer (req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? ''
    return (req.url ?? '').startsWith('/a2a/') && header.startsWith('Bearer ') && this.init.acceptsToken?.(header.slice(7)) === true
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agentmesh')
    const match = matchRoute(this.init.routes, req.method ?? 'GET', url.pathname)
    if (match.kind === 'not-found') {
      drain(req)
      sendError(res, new ApiError(404, 'NOT_FOUND', `no route ${req.method ?? ''} ${url.pathname}`))
      return
    }
    if (match.kind === 'method-not-allowed') {
      drain(req)
      res.setHeader('Allow', match.allowed.join(', '))
      sendError(res, new ApiError(405, 'METHOD_NOT_ALLOWED', `${req.method ?? ''} is not allowed on ${url.pathname} (allowed: ${match.allowed.join(', ')})`))
      return
    }
    const request = new AbortController()
    const linked = this.inFlight.join(request.signal)
    res.on('close', () => {
      linked.clear()
      if (!res.writableFinished) request.abort()
    })
    const signal = linked.signal
    let bodyRead: Promise<unknown> | undefined
    const ctx = {
      req,
      res,
      params: match.params,
      query: url.searchParams,
      signal,
      body: async () => (bodyRead ??= readJsonBody(req, this.maxBodyFor(url.pathname)))
    }
    let reply: Reply | undefined
    try {
      reply = await match.route.handler(ctx)
    } catch (err) {
      if (bodyRead === undefined) drain(req)
      if (res.headersSent) { res.destroy(); return }
      if (!(err instanceof AgentmeshError)) this.init.log.error({ err, path: url.pathname }, 'api request failed')
      sendError(res, err)
      return
    }
    if (reply === undefined) return
    if (bodyRead === undefined) drain(req)
    if (reply.text !== undefined) {
      res.writeHead(reply.status ?? 200, { 'Content-Type': reply.contentType ?? 'text/plain; charset=utf-8' })
      res.end(reply.text)
    } else {
      sendJson(res, reply.status ?? 200, reply.json ?? {}, reply.contentType)
    }
  }
}

function authorized (req: IncomingMessage, expected: Buffer): boolean {
  const got = Buffer.from(req.headers.authorization ?? '')
  return got.length === expected.length && timingSafeEqual(got, expected)
}

/**
 * Pending connections the kernel queues for us. Node's default of 511 makes a
 * burst of local clients on the Unix socket fail with EAGAIN (Unix sockets do
 * not retry as TCP does); the kernel caps this at net.core.somaxconn.
 */
const LISTEN_BACKLOG = 4096

async function listen (server: Server, options: { path: string } | { host: string, port: number }): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ ...options, backlog: LISTEN_BACKLOG }, () => { server.off('error', reject); resolve() })
  })
}

/** Reads a JSON body, refusing one larger than `max` bytes without buffering it. */
async function readJsonBody (req: IncomingMessage, max: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? '0')
  if (declared > max) throw new ApiError(413, 'BODY_TOO_LARGE', `request body of ${declared} bytes exceeds the limit of ${max}`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > max) throw new ApiError(413, 'BODY_TOO_LARGE', `request body exceeds the limit of ${max} bytes`)
    chunks.push(chunk as Buffer)
  }
  if (size === 0) return undefined
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (err) {
    throw new ApiError(400, 'BAD_JSON', `request body is not valid JSON: ${(err as Error).message}`)
  }
}

function drain (req: IncomingMessage): void {
  req.resume()
}

/** Writes a JSON response. */
export function sendJson (res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

/** Writes `{ error: { code, message } }` with the status that fits the error. */
export function sendError (res: ServerResponse, err: unknown): void {
  let status = 500
  let code = 'INTERNAL'
  let message = 'internal error'
  if (err instanceof ApiError) {
    status = err.status
    code = err.code
    message = err.message
  } else if (err instanceof AgentmeshError) {
    status = STATUS_BY_CODE[err.code] ?? 500
    code = err.code
    message = err.message
  } else if (err instanceof Error && err.name === 'AbortError') {
    status = 504
    code = 'TIMEOUT'
    message = err.message
  }
  if (status === 413) res.setHeader('Connection', 'close')
  sendJson(res, status, { error: { code, message } })
}
