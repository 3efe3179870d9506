import { AgentmeshError } from '../errors.js'

/**
 * A configuration value is missing, of the wrong type or out of range.
 * `key` names the offending key (dotted path, e.g. `dht.queryTimeoutMs`) and
 * `source` where it came from (the config file, an environment variable, a flag).
 */
export class ConfigError extends AgentmeshError {
  readonly key: string
  readonly source: string

  constructor (key: string, expected: string, source: string, got?: unknown) {
    const shown = got === undefined ? '' : ` (got ${JSON.stringify(got)})`
    super('INVALID_CONFIG', `invalid config key "${key}" from ${source}: expected ${expected}${shown}`)
    this.key = key
    this.source = source
  }
}
