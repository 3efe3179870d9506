import type { LOG_LEVELS, TRACE_PROTOCOLS } from './constants.js'
import type { InspectionConfig } from '../inspection/index.js'

/** A fully resolved daemon configuration: every key present, every value validated. */
export interface Config {
  /**
   * The mesh's name. It is part of the DHT protocol id and the mDNS service tag,
   * so two meshes on one network never mix.
   */
  mesh: string
  /** Multiaddrs to listen on. */
  listen: string[]
  /** Multiaddrs to announce instead of the listen addresses (e.g. behind port forwarding). */
  announce: string[]
  /** Multiaddrs, each ending in `/p2p/<peer-id>`, dialled at start to join the mesh. */
  bootstrap: string[]
  /** Discover peers on the local network by multicast DNS. */
  mdns: boolean
  dht: {
    /** Serve DHT queries (false) or only make them (true). */
    clientMode: boolean
    /** The longest a DHT lookup may take, in milliseconds. */
    queryTimeoutMs: number
    /**
     * Depth of kad-dht's routing-table trie: at most 2^prefixLength buckets of k (20) peers.
     * A host keeps its nearest neighbours (and so can be found) only while the mesh has at most
     * about 2^prefixLength × 20 hosts: past that, the bucket that should hold a newcomer is full
     * of earlier peers and the newcomer is left out (sim/README.md, "The routing table's depth").
     */
    prefixLength: number
  }
  trust: {
    /**
     * Lab mode: any peer may connect and send tasks, no certificate or policy
     * is checked. Off by default: the mesh is closed.
     */
    open: boolean
    /** Authorities trusted beside those of joined bundles (their ids, the peer-ID form of their keys). */
    authorities: string[]
  }
  /** Pre-execution inspection of requests (receiving daemon) and replies (calling daemon): schema, content rules, external guard. */
  inspection: InspectionConfig
  nat: {
    /** Serve circuit relay v2 for other daemons (`--relay`): a well-connected host's job. */
    relay: boolean
    /** Reserve a slot on the relays this daemon knows and advertise the relayed address. */
    reserve: boolean
    /** Relay server: most reservations held at once. */
    maxReservations: number
    /** Relay server: how long one relayed connection may last (ms); 0 = no limit (a mesh relay carries whole tasks and long streams). */
    relayDurationLimitMs: number
    /** Relay server: most bytes one relayed connection may carry; 0 = no limit. */
    relayDataLimitBytes: number
    /** Upgrade relayed connections to direct ones where possible (DCUtR). */
    dcutr: boolean
    /** Ask peers whether this host's addresses are dialable (AutoNAT). */
    autonat: boolean
    /** Map a port on the LAN's UPnP gateway (`--upnp`; opt-in). */
    upnp: boolean
  }
  audit: {
    /** Sign a checkpoint after this many records. */
    checkpointEvery: number
    /** Sign a checkpoint this often while records come in (ms). */
    checkpointIntervalMs: number
    /** Keep records this many days (0 = forever); older ones are pruned behind a signed checkpoint. */
    retentionDays: number
  }
  delegation: {
    /** How long a chain this daemon opens for its caller is valid (ms). */
    ttlMs: number
    /** The most links a chain this daemon opens may have. */
    maxDepth: number
  }
  connections: {
    /** The most open connections. */
    max: number
    /** Inbound connections per second accepted from one IP address. */
    inboundPerSecondPerIp: number
    /** Inbound connections that may be mid-handshake at once. */
    maxIncomingPending: number
    /** How many known peers to redial when the daemon starts. */
    redialKnownPeers: number
  }
  relay: {
    /** How long a task may take to be handed over (retries included), in milliseconds. */
    taskDeadlineMs: number
    /** Tasks from one peer delivered at once; more are refused (RATE_LIMITED). */
    perPeerConcurrency: number
    /** Envelopes accepted per second from one peer; more are refused (RATE_LIMITED). */
    perPeerRatePerSecond: number
    /** Accepted clock difference between daemons, in milliseconds. */
    clockSkewMs: number
    /**
     * Largest relay message (a task's envelope, or one answer frame), in bytes.
     * A message bigger than one 1 MiB chunk travels in several; the A2A API takes
     * request bodies this big too.
     */
    maxMessageBytes: number
  }
  api: {
    /** `HOST:PORT` of an optional loopback TCP listener (bearer token required), or null. */
    tcp: string | null
    /** Largest request body the local API reads, in bytes (`/a2a/…` calls: at least `relay.maxMessageBytes`). */
    maxBodyBytes: number
  }
  log: {
    level: typeof LOG_LEVELS[number]
  }
  telemetry: {
    /** `HOST:PORT` on which to serve `GET /metrics` over plain HTTP (no token), or null: only the API serves it. */
    metricsListen: string | null
    tracing: {
      /**
       * OTLP/HTTP traces endpoint (JSON), e.g. `http://collector:4318/v1/traces`, to which the
       * daemon exports a span for every step of every task; null: no tracing (nothing recorded).
       */
      endpoint: string | null
      /**
       * The OTLP/HTTP encoding: `http/protobuf` (the OpenTelemetry default; smaller and
       * cheaper to make) or `http/json`.
       */
      protocol: typeof TRACE_PROTOCOLS[number]
    }
  }
}

/** Part of a {@link Config}, as one layer (file, environment, flags) supplies it. */
export type ConfigLayer = {
  [K in keyof Config]?: Config[K] extends unknown[] ? Config[K]
    : Config[K] extends object ? Partial<Config[K]> : Config[K]
}
