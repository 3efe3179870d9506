import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { LOG_LEVELS, TRACE_PROTOCOLS } from './constants.js'
import { inspectionConfigSchema } from '../inspection/index.js'

function isMultiaddr (value: string): boolean {
  try {
    multiaddr(value)
    return value.startsWith('/')
  } catch {
    return false
  }
}

const multiaddrString = z.string().refine(isMultiaddr, { message: 'a multiaddr such as /ip4/0.0.0.0/tcp/4401' })
const bootstrapAddr = z.string().refine(
  (v) => isMultiaddr(v) && /\/p2p\/[1-9A-HJ-NP-Za-km-z]+$/.test(v),
  { message: 'a multiaddr ending in /p2p/<peer-id>, such as /ip4/10.0.0.1/tcp/4401/p2p/12D3KooW…' }
)
const hostPort = z.string().refine((v) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d{1,5}$/.test(v) && Number(v.split(':').pop()) <= 65535, {
  message: 'a loopback HOST:PORT such as 127.0.0.1:4402'
})
const positiveInt = z.number().int().positive()
/** Any host (a scraper may be on another machine): IPv4, `[IPv6]` or a host name, and a port (0: any free one). */
const listenHostPort = z.string().refine((v) => /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9]([a-zA-Z0-9.-]{0,252})):\d{1,5}$/.test(v) && Number(v.split(':').pop()) <= 65535, {
  message: 'HOST:PORT such as 127.0.0.1:9464, 0.0.0.0:9464 or [::]:9464'
})

/** An http(s) URL with a host, such as an OTLP/HTTP collector's. */
const httpUrl = z.string().refine((v) => {
  try {
    const u = new URL(v)
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== ''
  } catch {
    return false
  }
}, { message: 'an http(s) URL such as http://127.0.0.1:4318/v1/traces (an OTLP/HTTP traces endpoint)' })

/** Bounds of `relay.maxMessageBytes`. */
const MIN_MESSAGE_BYTES = 64 * 1024
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024

/** The shape every resolved config must have; `.strict()` so a misspelt key is an error, not ignored. */
export const configSchema = z.object({
  mesh: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, { message: 'a mesh name: 1–32 lower-case letters, digits and dashes' }),
  listen: z.array(multiaddrString).min(1, { message: 'at least one listen address' }),
  announce: z.array(multiaddrString),
  bootstrap: z.array(bootstrapAddr),
  mdns: z.boolean(),
  dht: z.object({
    clientMode: z.boolean(),
    queryTimeoutMs: positiveInt.max(600_000),
    prefixLength: positiveInt.max(16)
  }).strict(),
  trust: z.object({
    open: z.boolean(),
    authorities: z.array(z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{40,60}$/, { message: 'an authority id (12D3KooW…)' }))
  }).strict(),
  inspection: inspectionConfigSchema,
  nat: z.object({
    relay: z.boolean(),
    reserve: z.boolean(),
    maxReservations: positiveInt.max(100_000),
    relayDurationLimitMs: z.number().int().min(0).max(7 * 24 * 3600_000),
    relayDataLimitBytes: z.number().int().min(0),
    dcutr: z.boolean(),
    autonat: z.boolean(),
    upnp: z.boolean()
  }).strict(),
  audit: z.object({
    checkpointEvery: positiveInt.max(1_000_000),
    checkpointIntervalMs: positiveInt.max(24 * 3600_000),
    retentionDays: z.number().int().min(0).max(36_500)
  }).strict(),
  delegation: z.object({
    ttlMs: positiveInt.max(7 * 24 * 3600_000),
    maxDepth: positiveInt.max(32)
  }).strict(),
  connections: z.object({
    max: positiveInt,
    inboundPerSecondPerIp: positiveInt,
    maxIncomingPending: positiveInt,
    redialKnownPeers: z.number().int().min(0)
  }).strict(),
  relay: z.object({
    taskDeadlineMs: positiveInt.max(24 * 3600_000),
    perPeerConcurrency: positiveInt.max(100_000),
    perPeerRatePerSecond: positiveInt.max(1_000_000),
    clockSkewMs: positiveInt.max(3600_000),
    maxMessageBytes: z.number().int().min(MIN_MESSAGE_BYTES, { message: `at least ${MIN_MESSAGE_BYTES} bytes (64 KiB): a relay message must hold a task's envelope` })
      .max(MAX_MESSAGE_BYTES, { message: `at most ${MAX_MESSAGE_BYTES} bytes (256 MiB): every message is held whole in memory and in the database` })
  }).strict(),
  api: z.object({
    tcp: hostPort.nullable(),
    maxBodyBytes: positiveInt.max(64 * 1024 * 1024)
  }).strict(),
  log: z.object({
    level: z.enum(LOG_LEVELS)
  }).strict(),
  telemetry: z.object({
    metricsListen: listenHostPort.nullable(),
    tracing: z.object({
      endpoint: httpUrl.nullable(),
      protocol: z.enum(TRACE_PROTOCOLS)
    }).strict()
  }).strict()
}).strict()
