import { readFileSync } from 'node:fs'
import { configSchema } from './schema.js'
import { defaultConfig } from './defaults.js'
import { ConfigError } from './errors.js'
import type { Config, ConfigLayer } from './config.js'

/** Where each layer of configuration comes from; later layers win. */
export interface ConfigSources {
  /** The parsed config file and its path (for messages). */
  file?: { path: string, value: unknown }
  /** Environment variables (`AGENTMESH_*`, and the standard OpenTelemetry ones of {@link ENV_KEYS}). */
  env?: Record<string, string | undefined>
  /** Values from command-line flags. */
  flags?: ConfigLayer
}

/**
 * How a variable's text becomes a value: as is, a comma list, a boolean;
 * `otlp-base`, an OTLP base URL to which the traces path `/v1/traces` is
 * appended; `otel-disabled`, `true` turns tracing off (any other value is ignored).
 */
type Kind = 'string' | 'list' | 'bool' | 'int' | 'otlp-base' | 'otel-disabled'

/** The config key of the OTLP traces endpoint. */
const TRACE_ENDPOINT = ['telemetry', 'tracing', 'endpoint']

/**
 * Environment variables and the config key each one sets. When several set one
 * key, the later one in this list wins: the standard OpenTelemetry variables
 * work as the OpenTelemetry SDKs read them (the traces endpoint over the
 * general one, and `OTEL_SDK_DISABLED=true` over both).
 */
export const ENV_KEYS: ReadonlyArray<{ env: string, path: string[], kind: Kind }> = [
  { env: 'AGENTMESH_MESH', path: ['mesh'], kind: 'string' },
  { env: 'AGENTMESH_LISTEN', path: ['listen'], kind: 'list' },
  { env: 'AGENTMESH_ANNOUNCE', path: ['announce'], kind: 'list' },
  { env: 'AGENTMESH_BOOTSTRAP', path: ['bootstrap'], kind: 'list' },
  { env: 'AGENTMESH_MDNS', path: ['mdns'], kind: 'bool' },
  { env: 'AGENTMESH_DHT_CLIENT_MODE', path: ['dht', 'clientMode'], kind: 'bool' },
  { env: 'AGENTMESH_DHT_PREFIX_LENGTH', path: ['dht', 'prefixLength'], kind: 'int' },
  { env: 'AGENTMESH_OPEN', path: ['trust', 'open'], kind: 'bool' },
  { env: 'AGENTMESH_RELAY', path: ['nat', 'relay'], kind: 'bool' },
  { env: 'AGENTMESH_UPNP', path: ['nat', 'upnp'], kind: 'bool' },
  { env: 'AGENTMESH_API_TCP', path: ['api', 'tcp'], kind: 'string' },
  { env: 'AGENTMESH_LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
  { env: 'AGENTMESH_METRICS_LISTEN', path: ['telemetry', 'metricsListen'], kind: 'string' },
  { env: 'OTEL_EXPORTER_OTLP_ENDPOINT', path: TRACE_ENDPOINT, kind: 'otlp-base' },
  { env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', path: TRACE_ENDPOINT, kind: 'string' },
  { env: 'OTEL_SDK_DISABLED', path: TRACE_ENDPOINT, kind: 'otel-disabled' },
  { env: 'OTEL_EXPORTER_OTLP_PROTOCOL', path: ['telemetry', 'tracing', 'protocol'], kind: 'string' },
  { env: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', path: ['telemetry', 'tracing', 'protocol'], kind: 'string' }
]

/**
 * Reads and parses a JSON config file. A missing file is no error (the
 * defaults apply); unreadable or malformed JSON is.
 */
export function readConfigFile (path: string): { path: string, value: unknown } | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ConfigError('(file)', `a readable file (${(err as Error).message})`, path)
  }
  try {
    return { path, value: JSON.parse(text) }
  } catch (err) {
    throw new ConfigError('(file)', `valid JSON (${(err as Error).message})`, path)
  }
}

/**
 * Merges the embedded defaults, the config file, the environment and the flags
 * (in that order) and validates the result. Throws a {@link ConfigError} that
 * names the first offending key and its source. Returns a new object; inputs
 * are not modified.
 */
export function resolveConfig (sources: ConfigSources = {}): Config {
  const origin = new Map<string, string>()
  let merged: Record<string, unknown> = defaultConfig() as unknown as Record<string, unknown>

  if (sources.file != null) {
    const { path, value } = sources.file
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError('(file)', 'a JSON object', `config file ${path}`, value)
    }
    merged = mergeLayer(merged, value as Record<string, unknown>, `config file ${path}`, origin)
  }
  if (sources.env != null) {
    merged = mergeLayer(merged, envLayer(sources.env, origin), 'environment', origin, false)
  }
  if (sources.flags != null) {
    merged = mergeLayer(merged, sources.flags as Record<string, unknown>, 'flags', origin)
  }

  const result = configSchema.safeParse(merged)
  if (!result.success) {
    const issue = result.error.issues[0]
    if (issue === undefined) throw new ConfigError('(config)', 'a valid config', 'defaults')
    const key = formatPath(issue.path)
    const got = issue.path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey], merged)
    if (issue.code === 'unrecognized_keys') {
      const unknownKey = [...issue.path, ...issue.keys].map(String).join('.')
      throw new ConfigError(unknownKey, `no such key (known keys: ${knownKeys(issue.path)})`, sourceOf(origin, unknownKey))
    }
    throw new ConfigError(key, issue.message.replace(/^Invalid input: /, ''), sourceOf(origin, key), got)
  }
  return result.data as Config
}

function envLayer (env: Record<string, string | undefined>, origin: Map<string, string>): Record<string, unknown> {
  const layer: Record<string, unknown> = {}
  for (const { env: name, path, kind } of ENV_KEYS) {
    const raw = env[name]
    if (raw === undefined || raw === '') continue
    let value: unknown = raw
    if (kind === 'list') value = raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
    if (kind === 'otlp-base') value = `${raw.trim().replace(/\/+$/, '')}/v1/traces`
    if (kind === 'otel-disabled') {
      if (raw.trim().toLowerCase() !== 'true') continue
      value = null
    }
    if (kind === 'int') {
      if (!/^\s*-?\d+\s*$/.test(raw)) throw new ConfigError(path.join('.'), 'a whole number', `environment variable ${name}`, raw)
      value = Number(raw)
    }
    if (kind === 'bool') {
      if (/^(1|true|yes|on)$/i.test(raw)) value = true
      else if (/^(0|false|no|off)$/i.test(raw)) value = false
      else throw new ConfigError(path.join('.'), 'true or false', `environment variable ${name}`, raw)
    }
    setPath(layer, path, value)
    origin.set(path.join('.'), `environment variable ${name}`)
  }
  return layer
}

function mergeLayer (base: Record<string, unknown>, layer: Record<string, unknown>, source: string,
  origin: Map<string, string>, record = true, prefix: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(layer)) {
    if (v === undefined) continue
    const path = [...prefix, k]
    const current = out[k]
    if (isPlainObject(v) && isPlainObject(current)) {
      out[k] = mergeLayer(current, v, source, origin, record, path)
    } else {
      out[k] = Array.isArray(v) ? [...v] : v
      if (record) origin.set(path.join('.'), source)
    }
  }
  return out
}

function isPlainObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function setPath (target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target
  for (const k of path.slice(0, -1)) {
    node[k] ??= {}
    node = node[k] as Record<string, unknown>
  }
  node[path[path.length - 1] as string] = value
}

function formatPath (path: ReadonlyArray<PropertyKey>): string {
  return path.map((k, i) => typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`).join('') || '(config)'
}

function sourceOf (origin: Map<string, string>, key: string): string {
  const parts = key.replace(/\[\d+\]/g, '').split('.')
  for (let n = parts.length; n > 0; n--) {
    const found = origin.get(parts.slice(0, n).join('.'))
    if (found !== undefined) return found
  }
  return 'defaults'
}

function knownKeys (path: ReadonlyArray<PropertyKey>): string {
  const node = path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown>)[k as PropertyKey], defaultConfig())
  return Object.keys(node as object).join(', ')
}
