import { describe, expect, it } from 'vitest'
import { countProtobufSpans } from '../../helpers/otlp-collector.js'
import { ExportTraceServiceRequest } from '../../helpers/otlp/otlp-trace.js'

// The telemetry bench's collector counts spans by walking the request's framing (countProtobufSpans)
// instead of decoding them: its count must be the full decoder's, whatever else the message holds.

function span (name: string): ExportTraceServiceRequest.ResourceSpans.ScopeSpans.Span {
  return {
    traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(2), traceState: 'vendor=x', parentSpanId: new Uint8Array(8).fill(3), name, kind: 1,
    startTimeUnixNano: 1_700_000_000_000_000_000n, endTimeUnixNano: 1_700_000_000_100_000_000n,
    attributes: [{ key: 'agentmesh.task_id', value: { stringValue: 'abc' } }], status: { code: 0, message: '' }
  } as unknown as ExportTraceServiceRequest.ResourceSpans.ScopeSpans.Span
}

const request = ExportTraceServiceRequest.encode({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agentmesh' } }] },
      scopeSpans: [
        { scope: { name: 'agentmesh', version: '1' }, spans: [span('a'), span('b'), span('c')] },
        { scope: { name: 'other', version: '' }, spans: [] }
      ]
    },
    { resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'agentmesh', version: '1' }, spans: [span('d'), span('e')] }] }
  ]
} as unknown as ExportTraceServiceRequest)

describe('countProtobufSpans', () => {
  it('counts the spans of every scope of every resource, as the full decoder finds them', () => {
    const decoded = ExportTraceServiceRequest.decode(request).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
    expect(decoded.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(countProtobufSpans(request)).toBe(5)
    expect(countProtobufSpans(new Uint8Array(0))).toBe(0)
  })

  it('throws on a truncated request instead of miscounting it', () => {
    expect(() => countProtobufSpans(request.subarray(0, request.length - 7))).toThrow()
  })
})
