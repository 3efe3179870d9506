import { describe, expect, it, vi } from 'vitest'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources'
import { TraceState, millisToHrTime } from '@opentelemetry/core'
import type { HrTime } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { StageSpanBatch, headerOf, writeNanos, type EncodedBatch, type EncodedTask, type EncodedTaskSpan, type StageSpanBatchInit } from '../../../src/telemetry/stage-batch.js'
import { ExportTraceServiceRequest } from '../../helpers/otlp/otlp-trace.js'

// Stage spans encoded straight into OTLP protobuf must be the very bytes the OpenTelemetry SDK's
// serializer writes for the same spans, and batched on the batch span processor's rules.

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const PARENT = '00f067aa0ba902b7'
const ORIGIN: HrTime = millisToHrTime(1_764_590_000_123.456)
const RESOURCE = defaultResource().merge(resourceFromAttributes({ 'service.name': 'agentmesh', 'agentmesh.peer': '12D3KooWpeer', 'host.cores': 2 }))
const SCOPE = { name: 'agentmesh', version: undefined, schemaUrl: undefined }

/** Span ids 1, 2, 3 … as 8 big-endian bytes, so that the expected spans can name them. */
function countingIds (): StageSpanBatchInit['ids'] & { next: number } {
  return {
    next: 1,
    copyInto (target: Uint8Array, offset: number, n: number) {
      const id = Buffer.alloc(n)
      id.writeUInt32BE(this.next++, n - 4)
      target.set(id, offset)
    }
  }
}

function hrAt (ms: number): HrTime {
  let s = ORIGIN[0] + Math.trunc(ms / 1000)
  let ns = ORIGIN[1] + Math.round((ms % 1000) * 1e6)
  if (ns >= 1e9) { s += 1; ns -= 1e9 }
  return [s, ns]
}

/** The span the SDK's serializer would get for stage `name` with span id `id`. */
function readable (name: string, id: number, startMs: number, endMs: number, traceState?: string): ReadableSpan {
  const ctx = { traceId: TRACE, spanId: id.toString(16).padStart(16, '0'), traceFlags: 1, ...(traceState != null ? { traceState: new TraceState(traceState) } : {}) }
  return {
    name, kind: 0, spanContext: () => ctx, parentSpanContext: { traceId: TRACE, spanId: PARENT, traceFlags: 1 },
    startTime: hrAt(startMs), endTime: hrAt(endMs), duration: [0, 0], status: { code: 0 }, attributes: {}, links: [], events: [], ended: true,
    resource: RESOURCE, instrumentationScope: SCOPE, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0
  } as unknown as ReadableSpan
}

function task (traceState?: string): EncodedTask {
  return { traceId: Buffer.from(TRACE, 'hex'), parentSpanId: Buffer.from(PARENT, 'hex'), traceFlags: 1, ...(traceState != null ? { traceState: Buffer.from(traceState) } : {}) }
}

function batch (over: Partial<StageSpanBatchInit> = {}): { b: StageSpanBatch, sent: EncodedBatch[], lost: Array<[number, Error | undefined]>, done: Array<(e?: Error) => void> } {
  const sent: EncodedBatch[] = []
  const done: Array<(e?: Error) => void> = []
  const lost: Array<[number, Error | undefined]> = []
  const b = new StageSpanBatch({
    ...headerOf(readable('agentmesh.probe', 1, 0, 1)),
    send: (x, d) => { sent.push(x); done.push(d) },
    ids: countingIds(), origin: ORIGIN, maxBatch: 512, maxQueue: 2048, delayMs: 5000,
    onLost: (n, e) => { lost.push([n, e]) },
    ...over
  })
  return { b, sent, lost, done }
}

describe('StageSpanBatch', () => {
  it('encodes stage spans into the very bytes of the SDK\'s OTLP serializer, with and without a tracestate', async () => {
    for (const state of [undefined, 'vendor=x,other=y']) {
      const { b, sent, done } = batch()
      const stages: Array<[string, number, number]> = [['agentmesh.api_receive', 1.25, 2.5], ['agentmesh.seal', 999.9999996, 1000.0000004], ['agentmesh.a_rather_long_stage_name_' + 'x'.repeat(120), 86_400_123.75, 86_400_124]]
      for (const [name, start, end] of stages) b.add(task(state), Buffer.from(name), start, end)
      const flushing = b.flush()
      done.shift()!()
      await flushing
      expect(sent).toHaveLength(1)
      const expected = ProtobufTraceSerializer.serializeRequest(stages.map(([name, start, end], i) => readable(name, i + 1, start, end, state)))!
      expect(Buffer.from(sent[0]!.body).toString('hex')).toBe(Buffer.from(expected).toString('hex'))
      expect(sent[0]!.spans).toBe(3)
      // And an independent decoder reads them back.
      const spans = ExportTraceServiceRequest.decode(sent[0]!.body).resourceSpans[0]!.scopeSpans[0]!.spans
      expect(spans.map((s) => [s.name, Buffer.from(s.parentSpanId).toString('hex')])).toEqual(stages.map(([name]) => [name, PARENT]))
    }
  })

  it('encodes task spans into the very bytes of the SDK\'s OTLP serializer: roots and remote parents, kinds, attributes, error status, tracestate', async () => {
    const { b, sent, done } = batch()
    const id = (n: number, bytes: number): string => n.toString(16).padStart(bytes * 2, '0')
    const spans: Array<{ encoded: EncodedTaskSpan, readable: ReadableSpan }> = []
    const task = (o: { span: number, parent?: string, kind: number, attributes: Record<string, string | number>, status: { code: number, message?: string }, state?: string, startMs: number, endMs: number, name: string }): void => {
      const ctx = { traceId: TRACE, spanId: id(o.span, 8), traceFlags: 1, ...(o.state != null ? { traceState: new TraceState(o.state) } : {}) }
      spans.push({
        encoded: {
          traceId: Buffer.from(TRACE, 'hex'), spanId: Buffer.from(id(o.span, 8), 'hex'), parentIsRemote: true, traceFlags: 1, name: Buffer.from(o.name), kind: o.kind + 1,
          startMs: o.startMs, endMs: o.endMs, attributes: Object.entries(o.attributes), status: o.status,
          ...(o.parent != null ? { parentSpanId: Buffer.from(o.parent, 'hex') } : {}), ...(o.state != null ? { traceState: Buffer.from(o.state) } : {})
        },
        readable: {
          name: o.name, kind: o.kind, spanContext: () => ctx, ...(o.parent != null ? { parentSpanContext: { traceId: TRACE, spanId: o.parent, traceFlags: 1, isRemote: true } } : {}),
          startTime: hrAt(o.startMs), endTime: hrAt(o.endMs), duration: [0, 0], status: o.status, attributes: o.attributes, links: [], events: [], ended: true,
          resource: RESOURCE, instrumentationScope: SCOPE, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0
        } as unknown as ReadableSpan
      })
    }
    // A root CLIENT span with attributes of every kind the daemon sets; a SERVER span under a remote parent, failed, with a tracestate.
    task({ span: 7, kind: 2, name: 'agentmesh.task.send', attributes: { 'agentmesh.agent': 'echo', 'agentmesh.peer': '12D3KooWpeer', n: 42, big: 2 ** 40, negative: -3, ratio: 0.25, empty: '' }, status: { code: 0 }, startMs: 1.5, endMs: 1003.25 })
    task({ span: 8, parent: PARENT, kind: 1, name: 'agentmesh.task.receive', attributes: { 'agentmesh.task_id': 'x'.repeat(200), 'agentmesh.error_code': 'POLICY_DENIED' }, status: { code: 2, message: 'POLICY_DENIED: specialists may not call each other' }, state: 'vendor=x,other=y', startMs: 86_400_000.125, endMs: 86_400_010 })
    task({ span: 9, parent: PARENT, kind: 1, name: 'agentmesh.task.receive', attributes: {}, status: { code: 0 }, startMs: 5, endMs: 5 })
    for (const s of spans) b.addTask(s.encoded)
    const flushing = b.flush()
    done.shift()!()
    await flushing
    expect(sent).toHaveLength(1)
    const expected = ProtobufTraceSerializer.serializeRequest(spans.map((s) => s.readable))!
    expect(Buffer.from(sent[0]!.body).toString('hex')).toBe(Buffer.from(expected).toString('hex'))
    expect(sent[0]!.spans).toBe(3)
    const decoded = ExportTraceServiceRequest.decode(sent[0]!.body).resourceSpans[0]!.scopeSpans[0]!.spans
    expect(decoded.map((s) => s.name)).toEqual(['agentmesh.task.send', 'agentmesh.task.receive', 'agentmesh.task.receive'])
    expect(decoded[0]!.parentSpanId ?? new Uint8Array()).toHaveLength(0)
    expect(decoded[1]!.status?.message).toBe('POLICY_DENIED: specialists may not call each other')
  })

  it('writes nanoseconds since 1970 exactly, across second boundaries and far from the origin', () => {
    const buf = Buffer.alloc(8)
    for (const ms of [0, 0.000001, 0.5, 876.543211, 999.9999999, 1000, 123_456_789.000001, -0.25, 3_600_000.999999]) {
      writeNanos(buf, 0, ORIGIN, ms)
      const [s, ns] = hrAt(ms < 0 ? 0 : ms)
      if (ms >= 0) expect(buf.readBigUInt64LE(0)).toBe(BigInt(s) * 1_000_000_000n + BigInt(ns))
    }
    writeNanos(buf, 0, ORIGIN, -0.25)
    expect(buf.readBigUInt64LE(0)).toBe(BigInt(ORIGIN[0]) * 1_000_000_000n + BigInt(ORIGIN[1]) - 250_000n)
  })

  it('never gives a span the all-zero id', async () => {
    let draws = 0
    const { b, sent, done } = batch({ ids: { copyInto: (t, o, n) => { t.set(draws++ < 2 ? new Uint8Array(n) : new Uint8Array(n).fill(7), o) } } })
    b.add(task(), Buffer.from('agentmesh.seal'), 1, 2)
    const flushing = b.flush()
    done.shift()!()
    await flushing
    const span = ExportTraceServiceRequest.decode(sent[0]!.body).resourceSpans[0]!.scopeSpans[0]!.spans[0]!
    expect(Buffer.from(span.spanId).toString('hex')).toBe('0707070707070707')
    expect(draws).toBe(3)
  })

  it('sends a batch when it is full, and what is left after the delay', async () => {
    vi.useFakeTimers()
    try {
      const { b, sent, done } = batch({ maxBatch: 3, delayMs: 100 })
      for (let i = 0; i < 4; i++) b.add(task(), Buffer.from('agentmesh.seal'), i, i + 1)
      expect(sent.map((x) => x.spans)).toEqual([3])
      done.shift()!()
      expect(b.pending).toBe(1)
      await vi.advanceTimersByTimeAsync(99)
      expect(sent).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(1)
      expect(sent.map((x) => x.spans)).toEqual([3, 1])
    } finally {
      vi.useRealTimers()
    }
  })

  it('holds spans while an export is in flight, drops those beyond the queue and reports them, and reports a failed export', async () => {
    const { b, sent, lost, done } = batch({ maxBatch: 2, maxQueue: 3 })
    for (let i = 0; i < 6; i++) b.add(task(), Buffer.from('agentmesh.seal'), i, i + 1)
    // 2 sent; 3 held while that export is in flight; the 6th dropped.
    expect(sent.map((x) => x.spans)).toEqual([2])
    expect(b.pending).toBe(3)
    expect(lost).toEqual([[1, undefined]])
    done.shift()!(new Error('collector down'))
    expect(lost[1]).toEqual([2, new Error('collector down')])
    // The held spans go out as soon as the export ends.
    expect(sent.map((x) => x.spans)).toEqual([2, 3])
    const flushed = b.flush()
    done.shift()!()
    await flushed
    expect(b.pending).toBe(0)
  })

  it('takes no spans after shutdown, once it has sent the pending ones', async () => {
    const { b, sent, done } = batch()
    b.add(task(), Buffer.from('agentmesh.seal'), 1, 2)
    const stopping = b.shutdown()
    done.shift()!()
    await stopping
    b.add(task(), Buffer.from('agentmesh.seal'), 3, 4)
    expect(sent.map((x) => x.spans)).toEqual([1])
    expect(b.pending).toBe(0)
  })
})
