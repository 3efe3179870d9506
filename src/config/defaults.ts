import { DEFAULT_PORT, DHT_PREFIX_LENGTH } from './constants.js'
import type { Config } from './config.js'
import { defaultInspectionConfig } from '../inspection/index.js'

/**
 * The embedded defaults: safe for a fresh machine with no configuration.
 * A new object each call, so callers may not corrupt each other's copy.
 */
export function defaultConfig (): Config {
  return {
    mesh: 'agentmesh',
    listen: [`/ip4/0.0.0.0/tcp/${DEFAULT_PORT}`],
    announce: [],
    bootstrap: [],
    mdns: true,
    dht: { clientMode: false, queryTimeoutMs: 30_000, prefixLength: DHT_PREFIX_LENGTH },
    trust: { open: false, authorities: [] },
    delegation: { ttlMs: 10 * 60_000, maxDepth: 5 },
    nat: { relay: false, reserve: true, maxReservations: 128, relayDurationLimitMs: 0, relayDataLimitBytes: 0, dcutr: true, autonat: true, upnp: false },
    audit: { checkpointEvery: 256, checkpointIntervalMs: 10_000, retentionDays: 0 },
    inspection: defaultInspectionConfig(),
    connections: { max: 300, inboundPerSecondPerIp: 50, maxIncomingPending: 50, redialKnownPeers: 32 },
    relay: { taskDeadlineMs: 120_000, perPeerConcurrency: 256, perPeerRatePerSecond: 5_000, clockSkewMs: 30_000, maxMessageBytes: 16 * 1024 * 1024 },
    api: { tcp: null, maxBodyBytes: 1024 * 1024 },
    log: { level: 'info' },
    telemetry: { metricsListen: null, tracing: { endpoint: null, protocol: 'http/protobuf' } }
  }
}
