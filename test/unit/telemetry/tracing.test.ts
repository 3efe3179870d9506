import { afterEach, describe, expect, it, vi } from 'vitest'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { Tracing } from '../../../src/telemetry/index.js'
import { samplerFromEnv } from '../../../src/telemetry/tracing.js'
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from '../../helpers/otlp-collector.js'

// Two daemons' tracing in one process, each with its own provider and its own exporter, as the
// simulator runs them: a client's trace continues through the sending daemon's task span, whose
// traceparent (carried in the envelope) parents the receiving daemon's task span.

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const CLIENT_SPAN = '00f067aa0ba902b7'
const CLIENT = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`

/** Milliseconds since the epoch of a span time. */
function ms (t: [number, number]): number {
  return t[0] * 1000 + t[1] / 1e6
}

const started: Tracing[] = []
async function tracing (peerId: string, exporter?: InMemorySpanExporter, endpoint: string | null = null): Promise<Tracing> {
  const t = await Tracing.create({ endpoint, serviceName: 'agentmesh', peerId, ...(exporter != null ? { exporter } : {}) })
  started.push(t)
  return t
}
afterEach(async () => {
  await Promise.all(started.splice(0).map(async (t) => t.shutdown()))
})

describe('Tracing', () => {
  it('joins both daemons\' spans into the client\'s trace, parent to child, stage spans at the given times', async () => {
    const sentSpans = new InMemorySpanExporter()
    const receivedSpans = new InMemorySpanExporter()
    const a = await tracing('peerA', sentSpans)
    const b = await tracing('peerB', receivedSpans)
    expect(a.enabled && b.enabled).toBe(true)

    const t0 = performance.now()
    const send = a.startTask('send', { traceparent: CLIENT, tracestate: 'vendor=x' }, { 'agentmesh.to': 'echo@peerB', 'agentmesh.method': 'SendMessage' }, t0)!
    send.setAttribute('agentmesh.task_id', 'abc123')
    send.stage('api_receive', t0, t0 + 1)
    send.stage('resolve', t0 + 1, t0 + 1.5)
    expect(send.traceparent).toMatch(new RegExp(`^00-${CLIENT_TRACE}-[0-9a-f]{16}-01$`))
    expect(send.traceparent).not.toContain(CLIENT_SPAN)
    expect(send.tracestate).toBe('vendor=x')

    // The receiving daemon reads the envelope's traceparent and tracestate.
    const receive = b.startTask('receive', { traceparent: send.traceparent, ...(send.tracestate != null ? { tracestate: send.tracestate } : {}) }, { 'agentmesh.from': 'client@peerA' }, t0 + 2)!
    receive.stage('verify', t0 + 2, t0 + 2.25)
    receive.stage('deliver', t0 + 2.25, t0 + 4)
    receive.end(undefined, t0 + 4.5)
    send.stage('remote', t0 + 1.5, t0 + 5)
    send.end(undefined, t0 + 5)

    const sent = sentSpans.getFinishedSpans()
    const received = receivedSpans.getFinishedSpans()
    const all = [...sent, ...received]
    expect(new Set(all.map((s) => s.spanContext().traceId))).toEqual(new Set([CLIENT_TRACE]))

    const sendSpan = sent.find((s) => s.name === 'agentmesh.task.send')!
    const receiveSpan = received.find((s) => s.name === 'agentmesh.task.receive')!
    expect(sendSpan.kind).toBe(SpanKind.CLIENT)
    expect(receiveSpan.kind).toBe(SpanKind.SERVER)
    expect(sendSpan.parentSpanContext?.spanId).toBe(CLIENT_SPAN)
    expect(sendSpan.parentSpanContext?.isRemote).toBe(true)
    expect(receiveSpan.parentSpanContext?.spanId).toBe(sendSpan.spanContext().spanId)
    expect(send.traceparent.split('-')[2]).toBe(sendSpan.spanContext().spanId)
    expect(sendSpan.attributes).toMatchObject({ 'agentmesh.to': 'echo@peerB', 'agentmesh.method': 'SendMessage', 'agentmesh.task_id': 'abc123' })
    expect(receiveSpan.attributes).toMatchObject({ 'agentmesh.from': 'client@peerA' })
    expect(sendSpan.status.code).toBe(SpanStatusCode.UNSET)
    expect(sendSpan.resource.attributes).toMatchObject({ 'service.name': 'agentmesh', 'agentmesh.peer': 'peerA', 'service.instance.id': 'peerA' })
    expect(receiveSpan.resource.attributes['agentmesh.peer']).toBe('peerB')

    // Stage spans: children of their daemon's task span, in the order given, at the times given.
    const stages = (spans: ReadableSpan[], parent: ReadableSpan): ReadableSpan[] => spans
      .filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId && s.name.startsWith('agentmesh.') && !s.name.startsWith('agentmesh.task.'))
      .sort((x, y) => ms(x.startTime) - ms(y.startTime))
    expect(stages(sent, sendSpan).map((s) => s.name)).toEqual(['agentmesh.api_receive', 'agentmesh.resolve', 'agentmesh.remote'])
    expect(stages(received, receiveSpan).map((s) => s.name)).toEqual(['agentmesh.verify', 'agentmesh.deliver'])
    for (const s of [...stages(sent, sendSpan), ...stages(received, receiveSpan)]) expect(s.kind).toBe(SpanKind.INTERNAL)
    const origin = performance.timeOrigin + t0
    const resolve = sent.find((s) => s.name === 'agentmesh.resolve')!
    expect(ms(resolve.startTime) - origin).toBeCloseTo(1, 3)
    expect(ms(resolve.endTime) - origin).toBeCloseTo(1.5, 3)
    const deliver = received.find((s) => s.name === 'agentmesh.deliver')!
    expect(ms(deliver.startTime) - origin).toBeCloseTo(2.25, 3)
    expect(ms(deliver.endTime) - origin).toBeCloseTo(4, 3)
    expect(ms(sendSpan.startTime) - origin).toBeCloseTo(0, 3)
    expect(ms(sendSpan.endTime) - origin).toBeCloseTo(5, 3)
    expect(ms(receiveSpan.endTime) - origin).toBeCloseTo(4.5, 3)
  })

  it('starts a new trace when the caller sent no valid traceparent', async () => {
    const spans = new InMemorySpanExporter()
    const a = await tracing('peerA', spans)
    for (const traceparent of [undefined, 'garbage', `00-${'0'.repeat(32)}-${CLIENT_SPAN}-01`, `00-${CLIENT_TRACE}-${'0'.repeat(16)}-01`]) {
      const t = a.startTask('send', traceparent != null ? { traceparent } : {}, {})!
      t.end()
      expect(t.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      expect(t.traceparent).not.toContain(CLIENT_TRACE)
    }
    const roots = spans.getFinishedSpans()
    expect(roots).toHaveLength(4)
    for (const s of roots) expect(s.parentSpanContext).toBeUndefined()
    expect(new Set(roots.map((s) => s.spanContext().traceId)).size).toBe(4)
  })

  it('marks a failed task, with its reason code', async () => {
    const spans = new InMemorySpanExporter()
    const t = (await tracing('peerA', spans)).startTask('send', { traceparent: CLIENT }, {})!
    t.end({ code: 'POLICY_DENIED', message: 'rule 3' })
    const [span] = spans.getFinishedSpans()
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'POLICY_DENIED: rule 3' })
    expect(span?.attributes['agentmesh.error_code']).toBe('POLICY_DENIED')
  })

  it('obeys a caller\'s "not sampled": passes the trace on, records nothing', async () => {
    const spans = new InMemorySpanExporter()
    const t = (await tracing('peerA', spans)).startTask('send', { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-00` }, {})!
    t.stage('resolve', performance.now(), performance.now())
    t.end()
    expect(t.traceparent).toMatch(new RegExp(`^00-${CLIENT_TRACE}-[0-9a-f]{16}-00$`))
    expect(spans.getFinishedSpans()).toEqual([])
  })

  it('does nothing when disabled: no provider, no span, no traceparent', async () => {
    const off = await tracing('peerA')
    expect(off.enabled).toBe(false)
    expect(off.startTask('send', { traceparent: CLIENT }, {})).toBeUndefined()
    expect((off as unknown as { provider?: unknown }).provider).toBeUndefined()
    expect(Tracing.disabled().enabled).toBe(false)
    await off.shutdown()
  })

  it('shuts down quickly even when the collector is unreachable', async () => {
    const t = await tracing('peerA', undefined, 'http://127.0.0.1:1/v1/traces')
    expect(t.enabled).toBe(true)
    t.startTask('send', {}, {})!.end()
    const before = performance.now()
    await t.shutdown()
    expect(performance.now() - before).toBeLessThan(6_000)
  })
})

// With an OTLP protobuf endpoint (the default exporter) and no in-process exporter, task spans never
// become SDK spans: they are sampled with the sampler the SDK would use and encoded with their stages.
// The same behaviour, read back from a stand-in collector.
describe('Tracing with an OTLP protobuf endpoint (task spans encoded)', () => {
  const collectors: OtlpCollector[] = []
  afterEach(async () => {
    vi.unstubAllEnvs()
    await Promise.all(collectors.splice(0).map(async (c) => c.close()))
  })
  /** Two daemons' tracing exporting to one collector; `spans()` shuts them down (flushing) and returns what arrived. */
  async function exporting (): Promise<{ a: Tracing, b: Tracing, spans: () => Promise<CollectedSpan[]> }> {
    const c = await startOtlpCollector()
    collectors.push(c)
    const a = await tracing('peerA', undefined, c.url)
    const b = await tracing('peerB', undefined, c.url)
    return { a, b, spans: async () => { await Promise.all([a.shutdown(), b.shutdown()]); return c.spans } }
  }
  const OTLP_INTERNAL = 1
  const OTLP_SERVER = 2
  const OTLP_CLIENT = 3
  const msOf = (ns: bigint): number => Number(ns / 1000n) / 1000

  it('joins both daemons\' spans into the client\'s trace, parent to child, with kinds, attributes and stage times', async () => {
    const { a, b, spans } = await exporting()
    const t0 = performance.now()
    const send = a.startTask('send', { traceparent: CLIENT, tracestate: 'vendor=x' }, { 'agentmesh.to': 'echo@peerB' }, t0)!
    send.setAttribute('agentmesh.task_id', 'abc123')
    send.stage('api_receive', t0, t0 + 1)
    expect(send.traceparent).toMatch(new RegExp(`^00-${CLIENT_TRACE}-[0-9a-f]{16}-01$`))
    expect(send.tracestate).toBe('vendor=x')
    const receive = b.startTask('receive', { traceparent: send.traceparent, tracestate: send.tracestate! }, { 'agentmesh.from': 'client@peerA' }, t0 + 2)!
    receive.stage('deliver', t0 + 2.25, t0 + 4)
    receive.end(undefined, t0 + 4.5)
    send.stage('remote', t0 + 1, t0 + 5)
    send.end(undefined, t0 + 5)
    send.setAttribute('agentmesh.after_end', 'ignored')

    const all = await spans()
    expect(new Set(all.map((s) => s.traceId))).toEqual(new Set([CLIENT_TRACE]))
    const sendSpan = all.find((s) => s.name === 'agentmesh.task.send')!
    const receiveSpan = all.find((s) => s.name === 'agentmesh.task.receive')!
    expect([sendSpan.kind, receiveSpan.kind]).toEqual([OTLP_CLIENT, OTLP_SERVER])
    expect(sendSpan.parentSpanId).toBe(CLIENT_SPAN)
    expect(send.traceparent.split('-')[2]).toBe(sendSpan.spanId)
    expect(receiveSpan.parentSpanId).toBe(sendSpan.spanId)
    expect(sendSpan.attributes).toEqual({ 'agentmesh.to': 'echo@peerB', 'agentmesh.task_id': 'abc123' })
    expect(receiveSpan.attributes).toEqual({ 'agentmesh.from': 'client@peerA' })
    expect(sendSpan.status.code ?? 0).toBe(0)
    expect([sendSpan.peer, receiveSpan.peer]).toEqual(['peerA', 'peerB'])
    const children = (parent: CollectedSpan): string[] => all.filter((s) => s.parentSpanId === parent.spanId && s.kind === OTLP_INTERNAL).sort((x, y) => Number(x.startNs - y.startNs)).map((s) => s.name)
    expect(children(sendSpan)).toEqual(['agentmesh.api_receive', 'agentmesh.remote'])
    expect(children(receiveSpan)).toEqual(['agentmesh.deliver'])
    const origin = performance.timeOrigin + t0
    expect(msOf(sendSpan.startNs) - origin).toBeCloseTo(0, 2)
    expect(msOf(sendSpan.endNs) - origin).toBeCloseTo(5, 2)
    expect(msOf(receiveSpan.endNs) - origin).toBeCloseTo(4.5, 2)
    const deliver = all.find((s) => s.name === 'agentmesh.deliver')!
    expect(msOf(deliver.startNs) - origin).toBeCloseTo(2.25, 2)
  })

  it('starts a new trace for a missing or invalid traceparent, and marks a failed task with its reason code', async () => {
    const { a, spans } = await exporting()
    for (const traceparent of [undefined, 'garbage', `00-${'0'.repeat(32)}-${CLIENT_SPAN}-01`]) {
      const t = a.startTask('send', traceparent != null ? { traceparent } : {}, {})!
      expect(t.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      t.end({ code: 'POLICY_DENIED', message: 'rule 3' })
    }
    const roots = await spans()
    expect(roots).toHaveLength(3)
    for (const s of roots) {
      expect(s.parentSpanId).toBe('')
      expect(s.status).toMatchObject({ code: 2, message: 'POLICY_DENIED: rule 3' })
      expect(s.attributes['agentmesh.error_code']).toBe('POLICY_DENIED')
    }
    expect(new Set(roots.map((s) => s.traceId)).size).toBe(3)
  })

  it('obeys a caller\'s "not sampled" and OTEL_TRACES_SAMPLER: passes the trace on, exports nothing', async () => {
    const unsampled = await exporting()
    const t = unsampled.a.startTask('send', { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-00` }, {})!
    t.stage('resolve', performance.now(), performance.now())
    t.end()
    expect(t.traceparent).toMatch(new RegExp(`^00-${CLIENT_TRACE}-[0-9a-f]{16}-00$`))
    expect(await unsampled.spans()).toEqual([])

    vi.stubEnv('OTEL_TRACES_SAMPLER', 'always_off')
    const off = await exporting()
    const root = off.a.startTask('send', { traceparent: CLIENT }, {})!
    root.end()
    expect(root.traceparent).toMatch(/-00$/)
    expect(await off.spans()).toEqual([])

    vi.stubEnv('OTEL_TRACES_SAMPLER', 'traceidratio')
    vi.stubEnv('OTEL_TRACES_SAMPLER_ARG', '1')
    const ratio = await exporting()
    ratio.a.startTask('send', { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-00` }, {})!.end()
    // traceidratio ignores the parent's decision: ratio 1 samples even a caller's "not sampled".
    expect((await ratio.spans()).map((s) => s.name)).toEqual(['agentmesh.task.send'])
  })
})

describe('samplerFromEnv', () => {
  afterEach(() => { vi.unstubAllEnvs() })
  it('builds the sampler the SDK would, from OTEL_TRACES_SAMPLER and its argument', async () => {
    const [sdkTrace, core] = await Promise.all([import('@opentelemetry/sdk-trace-base'), import('@opentelemetry/core')])
    const cases: Array<[string | undefined, string | undefined, string]> = [
      [undefined, undefined, 'ParentBased{root=AlwaysOnSampler'],
      ['always_on', undefined, 'AlwaysOnSampler'],
      ['always_off', undefined, 'AlwaysOffSampler'],
      ['parentbased_always_off', undefined, 'ParentBased{root=AlwaysOffSampler'],
      ['traceidratio', '0.25', 'TraceIdRatioBased{0.25}'],
      ['parentbased_traceidratio', '0.5', 'ParentBased{root=TraceIdRatioBased{0.5}'],
      ['traceidratio', '7', 'TraceIdRatioBased{1}'],
      ['nonsense', undefined, 'ParentBased{root=AlwaysOnSampler']
    ]
    for (const [name, arg, expected] of cases) {
      vi.unstubAllEnvs()
      if (name != null) vi.stubEnv('OTEL_TRACES_SAMPLER', name)
      if (arg != null) vi.stubEnv('OTEL_TRACES_SAMPLER_ARG', arg)
      expect(samplerFromEnv(sdkTrace, core).toString()).toContain(expected)
    }
  })
})
