export { createLogger, silentLogger } from './logger.js'
export type { Logger, LoggerInit } from './logger.js'
