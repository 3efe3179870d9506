import type { Server } from 'node:http'
import { http } from '../builtin-http.js'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'

/** What {@link serveMetrics} needs. */
export interface MetricsServerInit {
  registry: Registry
  /** `HOST:PORT` (`[::1]:9464` for IPv6); port 0 picks a free one. */
  listen: string
  log: Logger
}

/** A running metrics listener. */
export interface MetricsServer {
  /** `HOST:PORT` it listens on (the real port when 0 was asked). */
  address: string
  close: () => Promise<void>
}

/** Splits `HOST:PORT` (`[v6]:PORT` too) into host and port. */
export function parseHostPort (listen: string): { host: string, port: number } {
  const at = listen.lastIndexOf(':')
  const host = listen.slice(0, at).replace(/^\[(.*)\]$/, '$1')
  return { host, port: Number(listen.slice(at + 1)) }
}

/**
 * Serves `GET /metrics` (Prometheus text) over plain HTTP, for scrapers that
 * cannot reach the API's Unix socket. Nothing else is served here: no token
 * guards this port, so it must never reach the API.
 */
export async function serveMetrics (init: MetricsServerInit): Promise<MetricsServer> {
  const { registry, log } = init
  const server: Server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found; try /metrics\n')
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n')
      return
    }
    registry.metrics().then((text) => {
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(text) })
      res.end(req.method === 'HEAD' ? undefined : text)
    }, (err: Error) => {
      log.warn({ err: err.message }, 'metrics scrape failed')
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics collection failed\n')
    })
  })
  // A scraper holds its connection open between scrapes; do not let that delay a shutdown.
  server.keepAliveTimeout = 5_000
  server.requestTimeout = 10_000
  const { host, port } = parseHostPort(init.listen)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
  const bound = server.address() as AddressInfo
  const address = `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`
  log.info({ metrics: address }, 'serving /metrics over HTTP')
  return {
    address,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
    }
  }
}
