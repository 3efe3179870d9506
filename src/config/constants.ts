/** The default TCP port a daemon listens on, so a host's address stays put across restarts. */
export const DEFAULT_PORT = 4401

/** The config file's name inside the home. */
export const CONFIG_FILE = 'config.json'

/** Log levels the daemon understands (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** OTLP/HTTP encodings of exported traces, as `OTEL_EXPORTER_OTLP_PROTOCOL` names them (gRPC is not offered). */
export const TRACE_PROTOCOLS = ['http/protobuf', 'http/json'] as const
