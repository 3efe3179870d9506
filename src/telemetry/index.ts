export { createLogger, silentLogger } from './logger.js'
export type { Logger, LoggerInit } from './logger.js'
export { createMetrics } from './metrics.js'
export type { Metrics } from './metrics.js'
