import { Writable } from 'node:stream'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { resolveConfig } from '../../../src/config/index.js'
import { createMetrics, libp2pMetrics, observeTaskDecisions, serveMetrics, taskLogFields } from '../../../src/telemetry/index.js'
import { metricValue } from '../../helpers/mesh-api.js'

/** A logger whose JSON lines land in an array. */
function capturingLogger (level = 'debug'): { log: pino.Logger, lines: any[] } {
  const lines: any[] = []
  const sink = new Writable({ write (chunk, _enc, done) { lines.push(JSON.parse(chunk.toString())); done() } })
  return { log: pino({ level }, sink), lines }
}

describe('metrics', () => {
  it('names process metrics the conventional way (no agentmesh_process_ prefix)', async () => {
    const text = await createMetrics().registry.metrics()
    expect(text).toMatch(/^process_cpu_seconds_total /m)
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m)
    expect(text).not.toContain('agentmesh_process_')
    expect(await createMetrics({ processMetrics: false }).registry.metrics()).not.toContain('process_cpu_seconds_total')
  })

  it('keeps two daemons\' libp2p metrics apart in one process (no global registry, no shared map)', async () => {
    const a = createMetrics({ processMetrics: false })
    const b = createMetrics({ processMetrics: false })
    const la = libp2pMetrics({ registry: a.registry })()
    const lb = libp2pMetrics({ registry: b.registry })()
    la.registerCounterGroup('libp2p_test_dials_total', { label: 'kind' }).increment({ tcp: true })
    lb.registerCounterGroup('libp2p_test_dials_total', { label: 'kind' }).increment({ tcp: 5 })
    // A name registered again by the same node (one per listener, say) is the same metric, not an error.
    la.registerCounterGroup('libp2p_test_dials_total', { label: 'kind' }).increment({ tcp: 2 })
    lb.registerMetricGroup('libp2p_test_queue', { calculate: () => ({ size: 7 }) })
    expect(metricValue(await a.registry.metrics(), 'libp2p_test_dials_total', { kind: 'tcp' })).toBe(3)
    expect(metricValue(await b.registry.metrics(), 'libp2p_test_dials_total', { kind: 'tcp' })).toBe(5)
    expect(metricValue(await b.registry.metrics(), 'libp2p_test_queue', { libp2p_test_queue: 'size' })).toBe(7)
    expect(await a.registry.metrics()).not.toContain('libp2p_test_queue')
  })

  it('records kad-dht operation timers as a latency histogram by operation and outcome', async () => {
    const m = createMetrics({ processMetrics: false })
    const l = libp2pMetrics({ registry: m.registry, dhtOperations: m.dhtOperations })()
    const ok = l.registerMetricGroup('libp2p_kad_dht_operation_time_seconds', { label: 'operation' })
    const failed = l.registerMetricGroup('libp2p_kad_dht_operation_error_time_seconds', { label: 'operation' })
    ok.timer('FIND_PEER')()
    ok.timer('FIND_PEER')()
    failed.timer('FIND_PROVIDERS')()
    const text = await m.registry.metrics()
    expect(metricValue(text, 'agentmesh_dht_operation_duration_seconds_count', { operation: 'FIND_PEER', outcome: 'ok' })).toBe(2)
    expect(metricValue(text, 'agentmesh_dht_operation_duration_seconds_count', { operation: 'FIND_PROVIDERS', outcome: 'error' })).toBe(1)
  })

  it('times task stages and reads gauges at scrape time', async () => {
    let now = 100_000
    const m = createMetrics({ processMetrics: false })
    m.observe({
      connections: () => [
        { remoteAddr: { toString: () => '/ip4/10.0.0.2/tcp/4401/p2p/12D3KooWA' } },
        { remoteAddr: { toString: () => '/ip4/10.0.0.3/tcp/4401/p2p/12D3KooWR/p2p-circuit/p2p/12D3KooWB' } },
        { limits: { seconds: 120 }, remoteAddr: { toString: () => '/ip4/10.0.0.4/tcp/4401' } }
      ],
      outboxBacklog: () => ({ pending: 4, oldestCreatedMs: 90_000 }),
      dhtRoutingTableSize: () => 12,
      now: () => now
    })
    m.stageTimer('seal')()
    m.observeStage('deliver', 0.25)
    let text = await m.registry.metrics()
    expect(metricValue(text, 'agentmesh_task_stage_seconds_count', { stage: 'seal' })).toBe(1)
    expect(metricValue(text, 'agentmesh_task_stage_seconds_sum', { stage: 'deliver' })).toBe(0.25)
    expect(metricValue(text, 'agentmesh_connections', { path: 'direct' })).toBe(1)
    expect(metricValue(text, 'agentmesh_connections', { path: 'relayed' })).toBe(2)
    expect(metricValue(text, 'agentmesh_outbox_pending_tasks')).toBe(4)
    expect(metricValue(text, 'agentmesh_outbox_oldest_pending_age_seconds')).toBe(10)
    expect(metricValue(text, 'agentmesh_dht_routing_table_size')).toBe(12)
    now += 5_000
    text = await m.registry.metrics()
    expect(metricValue(text, 'agentmesh_outbox_oldest_pending_age_seconds')).toBe(15)
  })
})

describe('task decisions', () => {
  const local = '12D3KooWLocal'
  const remote = '12D3KooWRemote'

  it('counts each decision by side and reason, times whole tasks, and logs every one with its ids', async () => {
    const m = createMetrics({ processMetrics: false })
    const { log, lines } = capturingLogger()
    let t = 0
    const appended: unknown[] = []
    const sink = observeTaskDecisions({ append: (e: object) => { appended.push(e); return 'stored' } }, { metrics: m, log, localPeer: local, clock: () => t })
    const out = { fromPeer: local, fromAgent: 'boss', toPeer: remote, toAgent: 'worker', taskId: 'aa11', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }
    expect(sink.append({ decision: 'sent', ...out })).toBe('stored')
    t = 40
    sink.append({ decision: 'answered', ...out })
    const inbound = { fromPeer: remote, fromAgent: 'boss', toPeer: local, toAgent: 'worker', taskId: 'bb22' }
    sink.append({ decision: 'accepted', ...inbound })
    t = 50
    sink.append({ decision: 'delivery_failed', reason: 'AGENT_UNREACHABLE', ...inbound })
    sink.append({ decision: 'replay', reason: 'REPLAYED', ...inbound })
    sink.append({ decision: 'denied', reason: 'POLICY_DENIED', rule: 'no-lateral', ...out, taskId: 'cc33' })
    expect(appended).toHaveLength(6)

    const text = await m.registry.metrics()
    expect(metricValue(text, 'agentmesh_task_decisions_total', { side: 'sender', decision: 'answered' })).toBe(1)
    expect(metricValue(text, 'agentmesh_task_decisions_total', { side: 'receiver', decision: 'replay', reason: 'REPLAYED' })).toBe(1)
    expect(metricValue(text, 'agentmesh_task_decisions_total', { side: 'sender', decision: 'denied', reason: 'POLICY_DENIED' })).toBe(1)
    expect(metricValue(text, 'agentmesh_task_duration_seconds_sum', { side: 'sender', outcome: 'ok' })).toBeCloseTo(0.04)
    expect(metricValue(text, 'agentmesh_task_duration_seconds_count', { side: 'receiver', outcome: 'failed' })).toBe(1)

    expect(lines).toHaveLength(6)
    for (const l of lines) {
      expect(l.task).toMatch(/^[a-z0-9]+$/)
      expect(l.fromPeer).toBeDefined()
      expect(l.toAgent).toBe('worker')
    }
    expect(lines[0]).toMatchObject({ level: 20, msg: 'task sent', side: 'sender', trace: '4bf92f3577b34da6a3ce929d0e0e4736', fromAgent: 'boss', toPeer: remote })
    expect(lines[4]).toMatchObject({ level: 40, msg: 'task replay (REPLAYED)', side: 'receiver', reason: 'REPLAYED' })
    expect(lines[5]).toMatchObject({ level: 40, rule: 'no-lateral' })
  })

  it('gives other task log lines the same id fields', () => {
    expect(taskLogFields({ id: new Uint8Array([0xab, 0x01]), fromAgent: 'boss', toPeer: remote, toAgent: 'worker', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }))
      .toEqual({ task: 'ab01', trace: '4bf92f3577b34da6a3ce929d0e0e4736', fromAgent: 'boss', toPeer: remote, toAgent: 'worker' })
    expect(taskLogFields({ id: 'cd', traceparent: 'garbage' })).toEqual({ task: 'cd' })
  })

  it('writes nothing for routine decisions at info, but still counts them', async () => {
    const m = createMetrics({ processMetrics: false })
    const { log, lines } = capturingLogger('info')
    const sink = observeTaskDecisions({ append: () => undefined }, { metrics: m, log, localPeer: local })
    sink.append({ decision: 'delivered', fromPeer: remote, toPeer: local, taskId: 'aa' })
    expect(lines).toHaveLength(0)
    expect(metricValue(await m.registry.metrics(), 'agentmesh_task_decisions_total', { side: 'receiver', decision: 'delivered' })).toBe(1)
  })
})

describe('the metrics listener', () => {
  it('serves GET /metrics and nothing else', async () => {
    const m = createMetrics({ processMetrics: false })
    m.tasksSent.inc({ outcome: 'delivered' })
    const server = await serveMetrics({ registry: m.registry, listen: '127.0.0.1:0', log: pino({ level: 'silent' }) })
    try {
      const base = `http://${server.address}`
      const ok = await fetch(`${base}/metrics`)
      expect(ok.status).toBe(200)
      expect(ok.headers.get('content-type')).toContain('text/plain')
      expect(metricValue(await ok.text(), 'agentmesh_tasks_sent_total', { outcome: 'delivered' })).toBe(1)
      expect((await fetch(`${base}/v1/status`)).status).toBe(404)
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405)
    } finally {
      await server.close()
    }
  })

  it('takes telemetry.metricsListen as HOST:PORT and names the key when it is wrong', () => {
    expect(resolveConfig().telemetry.metricsListen).toBeNull()
    expect(resolveConfig({ flags: { telemetry: { metricsListen: '0.0.0.0:9464' } } }).telemetry.metricsListen).toBe('0.0.0.0:9464')
    expect(resolveConfig({ env: { AGENTMESH_METRICS_LISTEN: '[::]:9464' } }).telemetry.metricsListen).toBe('[::]:9464')
    expect(resolveConfig({ file: { path: 'f', value: { telemetry: { metricsListen: 'metrics.lan:9464' } } } }).telemetry.metricsListen).toBe('metrics.lan:9464')
    expect(() => resolveConfig({ flags: { telemetry: { metricsListen: '9464' } } })).toThrow(/"telemetry\.metricsListen" from flags: expected HOST:PORT/)
    expect(() => resolveConfig({ flags: { telemetry: { metricsListen: '127.0.0.1:70000' } } })).toThrow(/"telemetry\.metricsListen"/)
  })
})
