import { pino, type Logger } from 'pino'

export type { Logger } from 'pino'

/** Options for {@link createLogger}. */
export interface LoggerInit {
  level: string
  /** Fields on every line (e.g. the peer ID). */
  base?: Record<string, unknown>
  /** Where JSON lines go; stderr by default. */
  fd?: number
}

/**
 * A JSON-lines logger. Writes synchronously so that the last lines before a
 * crash or exit are not lost.
 */
export function createLogger (init: LoggerInit): Logger {
  return pino({
    level: init.level,
    base: init.base ?? {},
    timestamp: pino.stdTimeFunctions.isoTime
  }, pino.destination({ fd: init.fd ?? 2, sync: true }))
}

/** A logger that drops everything (tests, the simulator). */
export function silentLogger (): Logger {
  return pino({ level: 'silent' })
}
