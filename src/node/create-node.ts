import { singleWriteNoise } from './single-write-noise.js'
import { lazyWindowYamux } from './lazy-window-yamux.js'
import { bootstrap } from '@libp2p/bootstrap'
import { identify, identifyPush } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT, type KadDHTInit } from '@libp2p/kad-dht'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { Identify } from '@libp2p/identify'
import type { ComponentLogger, ConnectionEncrypter, ConnectionGater, Metrics, PeerDiscovery, PrivateKey, Transport } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import type { Config } from '../config/index.js'
import { throttleEmptyWalks } from './walk-throttle.js'
import { ConnectionHeadroom } from './connection-headroom.js'
import { FollowUpSelfQuery } from './follow-up-self-query.js'
import { dhtProtocol, IDENTIFY_TIMEOUT_MS, mdnsServiceTag } from './constants.js'

/** The services every mesh node runs. */
export interface MeshServices {
  identify: Identify
  ping: Ping
  dht: KadDHT
  [key: string]: unknown
}

/** A libp2p node as agentmesh runs it. */
export type MeshNode = Libp2p<MeshServices>

/** What {@link createMeshNode} needs. */
export interface MeshNodeInit {
  config: Config
  privateKey: PrivateKey
  /** Where the peer store and DHT records live; persisted in the home. */
  datastore?: Datastore
  /** Keeps peers off (the trust module's refusal list). */
  connectionGater?: ConnectionGater
  /** libp2p's metrics (telemetry's `libp2pMetrics`: into the daemon's own registry). */
  metrics?: (components: any) => Metrics
  /** Replaces TCP + circuit relay (the simulator runs its nodes over `@libp2p/memory`). */
  transports?: Array<(components: any) => Transport>
  /** libp2p's connection monitor (default on). The simulator turns it off: its pings time out when one event loop runs thousands of nodes. */
  connectionMonitor?: boolean
  /** kad-dht settings laid over the daemon's own (the simulator's tuning: alpha, k, self-query intervals). */
  dht?: Partial<KadDHTInit>
  /** Extra connection-manager settings (the simulator bounds each node's degree). */
  connectionManager?: { maxConnections?: number, maxParallelDials?: number, dialTimeout?: number }
  /** Keep 10 % of the connection limit free for inbound connections ({@link ConnectionHeadroom}; default on, with its default grace). */
  connectionHeadroom?: boolean | { graceMs?: number }
  /**
   * One more DHT self-query a minute after the first one completes ({@link FollowUpSelfQuery}; default
   * on, its delay and timeout as given): a host that joined with many others becomes findable by peer
   * ID in a minute rather than at kad-dht's next self-query, 5 minutes on.
   */
  followUpSelfQuery?: boolean | { delayMs?: number, timeoutMs?: number }
  /** Yamux settings (default: yamux's own, keep-alive pings every 30 s on each side of each connection; the simulator may turn them off). */
  muxer?: Parameters<typeof lazyWindowYamux>[0]
  /**
   * Replaces Noise. The simulator's `--encryption plaintext` passes
   * `@libp2p/plaintext` (a dev dependency) to take Noise's CPU out of its
   * runs; the daemon passes none and never loads it: a daemon's connections
   * are always Noise, which is also what authenticates the remote peer's key.
   */
  connectionEncrypters?: Array<(components: any) => ConnectionEncrypter>
  /**
   * libp2p's component logger (default: `@libp2p/logger`'s, silent unless
   * `DEBUG` is set). The simulator passes a no-op one: libp2p makes loggers per
   * connection, stream and protocol negotiation, each a set of `weald` debug
   * closures even when nothing prints.
   */
  logger?: ComponentLogger
}

/**
 * Builds (but does not start) the libp2p node for a daemon from its config:
 * TCP, Noise, Yamux, identify, ping, a private Kademlia DHT under the mesh's
 * own protocol id, bootstrap and (optionally) mDNS discovery.
 */
export async function createMeshNode (init: MeshNodeInit): Promise<MeshNode> {
  const { config } = init
  const peerDiscovery: Array<(components: any) => PeerDiscovery> = []
  if (config.bootstrap.length > 0) peerDiscovery.push(bootstrap({ list: config.bootstrap }))
  // The optional services are imported only when configured: each module a
  // daemon loads stays in its heap (source text, bytecode) for its lifetime, and
  // UPnP alone (its SSDP and port-mapping stack) is about 2 MB of it.
  if (config.mdns) {
    const { mdns } = await import('@libp2p/mdns')
    peerDiscovery.push(mdns({ serviceTag: mdnsServiceTag(config.mesh) }))
  }

  const nat = config.nat
  const services: Record<string, (components: any) => unknown> = {}
  if (nat.relay) {
    const { circuitRelayServer } = await import('@libp2p/circuit-relay-v2')
    const unlimited = nat.relayDurationLimitMs === 0 && nat.relayDataLimitBytes === 0
    services.relay = circuitRelayServer({
      reservations: {
        maxReservations: nat.maxReservations,
        // A mesh relay must carry whole tasks and long streamed replies: no limit unless configured.
        applyDefaultLimit: !unlimited,
        ...(nat.relayDurationLimitMs > 0 ? { defaultDurationLimit: nat.relayDurationLimitMs } : {}),
        ...(nat.relayDataLimitBytes > 0 ? { defaultDataLimit: BigInt(nat.relayDataLimitBytes) } : {})
      }
    })
  }
  if (nat.dcutr) {
    const { dcutr } = await import('@libp2p/dcutr')
    services.dcutr = dcutr()
  }
  // AutoNAT v2: v1 cannot confirm an address between two js-libp2p nodes (its server answers on the
  // connection the request came in on, then closes it).
  if (nat.autonat) {
    const { autoNATv2 } = await import('@libp2p/autonat-v2')
    services.autonat = autoNATv2()
  }
  // UPnP needs AutoNAT to confirm the mapped address; without it, it confirms the address itself.
  if (nat.upnp) {
    const { uPnPNAT } = await import('@libp2p/upnp-nat')
    services.upnp = uPnPNAT(nat.autonat ? {} : { autoConfirmAddress: true })
  }

  const node = await createLibp2p<MeshServices>({
    start: false,
    privateKey: init.privateKey,
    ...(init.datastore != null ? { datastore: init.datastore } : {}),
    ...(init.connectionGater != null ? { connectionGater: init.connectionGater } : {}),
    ...(init.metrics != null ? { metrics: init.metrics } : {}),
    ...(init.logger != null ? { logger: init.logger } : {}),
    addresses: {
      // '/p2p-circuit' is added once a relay is met (reserveOnRelays), not here.
      listen: config.listen,
      ...(config.announce.length > 0 ? { announce: config.announce } : {})
    },
    transports: init.transports ?? [tcp(), circuitRelayTransport()],
    ...(init.connectionMonitor === false ? { connectionMonitor: { enabled: false } } : {}),
    connectionEncrypters: init.connectionEncrypters ?? [singleWriteNoise()],
    streamMuxers: [lazyWindowYamux(init.muxer)],
    peerDiscovery,
    connectionManager: {
      maxConnections: config.connections.max,
      inboundConnectionThreshold: config.connections.inboundPerSecondPerIp,
      maxIncomingPendingConnections: config.connections.maxIncomingPending,
      ...init.connectionManager
    },
    services: {
      ...services,
      identify: identify({ timeout: IDENTIFY_TIMEOUT_MS }),
      // Connected peers learn a new or lost relayed address at once, not at their next identify.
      identifyPush: identifyPush(),
      // kad-dht and the connection monitor ping too; the default of one outbound
      // ping stream per connection makes a user's ping fail when they collide.
      ping: ping({ maxInboundStreams: 8, maxOutboundStreams: 8 }),
      dht: kadDHT({
        protocol: dhtProtocol(config.mesh),
        clientMode: config.dht.clientMode,
        prefixLength: config.dht.prefixLength,
        // Meshes mix LAN, loopback and public addresses; hand them all out.
        peerInfoMapper: passthroughMapper,
        ...init.dht
      })
    }
  })
  throttleEmptyWalks(node)
  // Keep room for inbound connections: at libp2p's limit every inbound connection is refused.
  if (init.connectionHeadroom !== false) {
    const headroom = new ConnectionHeadroom({ node, max: init.connectionManager?.maxConnections ?? config.connections.max, ...(typeof init.connectionHeadroom === 'object' ? init.connectionHeadroom : {}) })
    node.addEventListener('start', () => { headroom.start() })
    node.addEventListener('stop', () => { headroom.stop() })
  }
  if (init.followUpSelfQuery !== false) {
    const followUp = new FollowUpSelfQuery({ node, ...(typeof init.followUpSelfQuery === 'object' ? init.followUpSelfQuery : {}) })
    node.addEventListener('start', () => { followUp.start() })
    node.addEventListener('stop', () => { followUp.stop() })
  }
  return node
}
