/** The default TCP port a daemon listens on, so a host's address stays put across restarts. */
export const DEFAULT_PORT = 4401

/** The config file's name inside the home. */
export const CONFIG_FILE = 'config.json'

/** Log levels the daemon understands (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** OTLP/HTTP encodings of exported traces, as `OTEL_EXPORTER_OTLP_PROTOCOL` names them (gRPC is not offered). */
export const TRACE_PROTOCOLS = ['http/protobuf', 'http/json'] as const

/**
 * kad-dht's routing-table depth for a daemon (its own default is 6). The trie splits every bucket
 * up to this depth, so a host's nearest neighbours share a bucket of k (20) with every peer of the
 * same 2^-depth slice of the key space; once a slice holds more than 20 hosts, its bucket is full
 * of the earliest and a host that joins later is in nobody's table near it, so lookups for it fail
 * (measured in sim/: README "The routing table's depth"). Depth 8 keeps slices within k up to
 * about 5,000 hosts (2^8 × 20); tables hold at most 5,120 peers, of the peers a host has met.
 */
export const DHT_PREFIX_LENGTH = 8
