/** The default TCP port a daemon listens on, so a host's address stays put across restarts. */
export const DEFAULT_PORT = 4401

/** The config file's name inside the home. */
export const CONFIG_FILE = 'config.json'

/** Log levels the daemon understands (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
