import { describe, expect, it } from 'vitest'
import { ConfigError, defaultConfig, resolveConfig } from '../../../src/config/index.js'

describe('resolveConfig', () => {
  it('returns the embedded defaults with no sources', () => {
    expect(resolveConfig()).toEqual(defaultConfig())
  })

  it('layers file < environment < flags, key by key', () => {
    const c = resolveConfig({
      file: { path: 'cfg.json', value: { mesh: 'from-file', mdns: false, dht: { queryTimeoutMs: 1234 } } },
      env: { AGENTMESH_MESH: 'from-env', AGENTMESH_LISTEN: '/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2' },
      flags: { mesh: 'from-flags' }
    })
    expect(c.mesh).toBe('from-flags')
    expect(c.mdns).toBe(false)
    expect(c.dht).toEqual({ clientMode: false, queryTimeoutMs: 1234, prefixLength: 8 })
    expect(c.listen).toEqual(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
  })

  it('does not modify its inputs', () => {
    const value = { dht: { queryTimeoutMs: 5 } }
    const flags = { listen: ['/ip4/127.0.0.1/tcp/3'] }
    const c = resolveConfig({ file: { path: 'f', value }, flags })
    c.listen.push('/ip4/1.2.3.4/tcp/5')
    c.dht.queryTimeoutMs = 99
    expect(value).toEqual({ dht: { queryTimeoutMs: 5 } })
    expect(flags.listen).toEqual(['/ip4/127.0.0.1/tcp/3'])
  })

  it('names the key and the source of a bad value', () => {
    const err = (() => { try { resolveConfig({ flags: { connections: { max: -1 } as never } }) } catch (e) { return e } })()
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).key).toBe('connections.max')
    expect((err as ConfigError).source).toBe('flags')
  })

  it('takes dht.prefixLength (default 8) from the file and AGENTMESH_DHT_PREFIX_LENGTH, and says what is wrong with a bad one', () => {
    expect(resolveConfig().dht.prefixLength).toBe(8)
    expect(resolveConfig({ file: { path: 'f', value: { dht: { prefixLength: 10 } } } }).dht.prefixLength).toBe(10)
    expect(resolveConfig({ file: { path: 'f', value: { dht: { prefixLength: 10 } } }, env: { AGENTMESH_DHT_PREFIX_LENGTH: '12' } }).dht.prefixLength).toBe(12)
    expect(() => resolveConfig({ env: { AGENTMESH_DHT_PREFIX_LENGTH: 'deep' } }))
      .toThrow(/invalid config key "dht\.prefixLength" from environment variable AGENTMESH_DHT_PREFIX_LENGTH: expected a whole number.*\(got "?deep"?\)/)
    expect(() => resolveConfig({ env: { AGENTMESH_DHT_PREFIX_LENGTH: '17' } })).toThrow(/"dht\.prefixLength" from environment variable AGENTMESH_DHT_PREFIX_LENGTH/)
    expect(() => resolveConfig({ file: { path: 'f', value: { dht: { prefixLength: 0 } } } })).toThrow(/"dht\.prefixLength" from config file f/)
    expect(() => resolveConfig({ file: { path: 'f', value: { dht: { prefixLength: 6.5 } } } })).toThrow(/"dht\.prefixLength"/)
  })

  it('takes relay.maxMessageBytes (default 16 MiB) and says what is wrong with a bad one', () => {
    expect(resolveConfig().relay.maxMessageBytes).toBe(16 * 1024 * 1024)
    expect(resolveConfig({ file: { path: 'f', value: { relay: { maxMessageBytes: 5 * 1024 * 1024 } } } }).relay.maxMessageBytes).toBe(5 * 1024 * 1024)
    expect(() => resolveConfig({ file: { path: 'f', value: { relay: { maxMessageBytes: 1000 } } } }))
      .toThrow(/invalid config key "relay\.maxMessageBytes" from config file f: expected at least 65536 bytes \(64 KiB\).*\(got 1000\)/)
    expect(() => resolveConfig({ file: { path: 'f', value: { relay: { maxMessageBytes: 2 ** 30 } } } }))
      .toThrow(/"relay\.maxMessageBytes".*at most 268435456 bytes/)
    expect(() => resolveConfig({ file: { path: 'f', value: { relay: { maxMessageBytes: '16MiB' } } } })).toThrow(/"relay\.maxMessageBytes"/)
  })

  it('takes the OTLP traces endpoint from the file, the standard OTEL_* variables and flags, and validates it', () => {
    const endpoint = (sources: Parameters<typeof resolveConfig>[0]): string | null => resolveConfig(sources).telemetry.tracing.endpoint
    expect(endpoint({})).toBeNull()
    expect(endpoint({ file: { path: 'f', value: { telemetry: { tracing: { endpoint: 'http://c:4318/v1/traces' } } } } })).toBe('http://c:4318/v1/traces')
    expect(endpoint({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' } })).toBe('http://c:4318/v1/traces')
    expect(endpoint({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://t/x' } })).toBe('https://t/x')
    expect(endpoint({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://t/x', OTEL_SDK_DISABLED: 'TRUE' } })).toBeNull()
    expect(endpoint({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://t/x', OTEL_SDK_DISABLED: 'false' } })).toBe('https://t/x')
    expect(endpoint({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://t/x' }, flags: { telemetry: { tracing: { endpoint: 'http://f/v1/traces' } } } })).toBe('http://f/v1/traces')
    expect(() => resolveConfig({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' } }))
      .toThrow(/invalid config key "telemetry\.tracing\.endpoint" from environment variable OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: expected an http\(s\) URL/)
    expect(() => resolveConfig({ flags: { telemetry: { tracing: { endpoint: 'grpc://c:4317' } } } })).toThrow(/"telemetry\.tracing\.endpoint" from flags/)
    expect(() => resolveConfig({ file: { path: 'f', value: { telemetry: { tracing: { url: 'http://c' } } } } })).toThrow(/"telemetry\.tracing\.url".*no such key/)
  })

  it('takes the OTLP encoding from OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL or the file (protobuf by default) and refuses one it cannot send', () => {
    const protocol = (sources: Parameters<typeof resolveConfig>[0]): string => resolveConfig(sources).telemetry.tracing.protocol
    expect(protocol({})).toBe('http/protobuf')
    expect(protocol({ flags: { telemetry: { tracing: { endpoint: 'http://f/v1/traces' } } } })).toBe('http/protobuf')
    expect(protocol({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } })).toBe('http/json')
    expect(protocol({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' } })).toBe('http/protobuf')
    expect(protocol({ file: { path: 'f', value: { telemetry: { tracing: { protocol: 'http/json' } } } } })).toBe('http/json')
    expect(() => resolveConfig({ env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' } }))
      .toThrow(/"telemetry\.tracing\.protocol" from environment variable OTEL_EXPORTER_OTLP_TRACES_PROTOCOL/)
  })

  it('refuses unknown keys at any depth', () => {
    expect(() => resolveConfig({ file: { path: 'f', value: { dht: { mode: 'x' } } } })).toThrow(/"dht\.mode".*no such key/)
  })
})
