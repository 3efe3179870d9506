import { createServer, type Server } from 'node:http'
import { reader } from 'protons-runtime'
import { ExportTraceServiceRequest, type AnyValue as PbAnyValue, type KeyValue as PbKeyValue } from './otlp/otlp-trace.js'

/** One span as an OTLP/HTTP exporter sent it (protobuf or JSON), flattened; ids in hex, kinds and codes as OTLP numbers them. */
export interface CollectedSpan {
  traceId: string
  spanId: string
  parentSpanId: string
  name: string
  kind: number
  startNs: bigint
  endNs: bigint
  attributes: Record<string, string | number | boolean>
  /** The `agentmesh.peer` attribute of the span's resource: which daemon made it. */
  peer: string
  status: { code?: number, message?: string }
}

/** A stand-in OpenTelemetry collector: takes `POST /v1/traces` (OTLP/HTTP, protobuf or JSON) and keeps the spans. */
export interface OtlpCollector {
  /** The traces endpoint, for `--trace-endpoint`. */
  url: string
  /** The spans received (with `count: true`, always empty). */
  spans: CollectedSpan[]
  /** How many spans have been received. */
  received: () => number
  /** How many export requests came in each encoding (by content type). */
  requests: { protobuf: number, json: number }
  close: () => Promise<void>
}

type AnyValue = { stringValue?: string, intValue?: string | number, doubleValue?: number, boolValue?: boolean }
type KeyValue = { key: string, value: AnyValue }

function valueOf (v: AnyValue): string | number | boolean {
  if (v.stringValue !== undefined) return v.stringValue
  if (v.intValue !== undefined) return Number(v.intValue)
  if (v.doubleValue !== undefined) return v.doubleValue
  return v.boolValue ?? ''
}

function attributesOf (list: KeyValue[] | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]))
}

function pbValueOf (v: PbAnyValue | undefined): string | number | boolean {
  if (v == null) return ''
  if (v.stringValue !== undefined) return v.stringValue
  if (v.intValue !== undefined) return Number(v.intValue)
  if (v.doubleValue !== undefined) return v.doubleValue
  return v.boolValue ?? ''
}

function pbAttributesOf (list: PbKeyValue[]): Record<string, string | number | boolean> {
  return Object.fromEntries(list.map((kv) => [kv.key, pbValueOf(kv.value)]))
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** The spans of one OTLP/HTTP protobuf request. */
function spansOfProtobuf (body: Buffer): CollectedSpan[] {
  const out: CollectedSpan[] = []
  for (const rs of ExportTraceServiceRequest.decode(body).resourceSpans) {
    const peer = String(pbAttributesOf(rs.resource?.attributes ?? [])['agentmesh.peer'] ?? '')
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        out.push({
          traceId: hex(s.traceId), spanId: hex(s.spanId), parentSpanId: hex(s.parentSpanId), name: s.name, kind: s.kind,
          startNs: s.startTimeUnixNano, endNs: s.endTimeUnixNano,
          attributes: pbAttributesOf(s.attributes), peer,
          status: { ...(s.status?.code != null && s.status.code !== 0 ? { code: s.status.code } : {}), ...(s.status?.message != null && s.status.message !== '' ? { message: s.status.message } : {}) }
        })
      }
    }
  }
  return out
}

/** Options of {@link startOtlpCollector}. */
export interface OtlpCollectorOptions {
  /**
   * Count protobuf spans instead of keeping them: walk the request's framing
   * (resource spans → scope spans → spans) and skip each span's content. The
   * telemetry bench uses it: a collector that builds an object per span costs
   * as much CPU as the daemons' own tracing, and on a two-core machine that
   * CPU is taken from the pair being measured (the bench reports it apart).
   */
  count?: boolean
}

/**
 * The spans of an OTLP ExportTraceServiceRequest, counted without decoding
 * them: field 1 of the request is ResourceSpans, field 2 of that ScopeSpans,
 * field 2 of that a Span; everything else is skipped by its wire type. Throws
 * on a malformed message.
 */
export function countProtobufSpans (body: Uint8Array): number {
  /** The length-delimited field `field` of the message in `buf`, each handed to `each`. */
  const fields = (buf: Uint8Array, field: number, each: (inner: Uint8Array) => void): void => {
    const r = reader(buf)
    while (r.pos < r.len) {
      const tag = r.uint32()
      if (tag >>> 3 === field && (tag & 7) === 2) each(r.bytes())
      else r.skipType(tag & 7)
    }
  }
  let n = 0
  fields(body, 1, (resourceSpans) => { fields(resourceSpans, 2, (scopeSpans) => { fields(scopeSpans, 2, () => { n++ }) }) })
  return n
}

export async function startOtlpCollector (options: OtlpCollectorOptions = {}): Promise<OtlpCollector> {
  const spans: CollectedSpan[] = []
  let counted = 0
  const requests = { protobuf: 0, json: 0 }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const type = req.headers['content-type'] ?? ''
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !(type.includes('json') || type.includes('protobuf'))) {
        res.writeHead(415).end()
        return
      }
      if (type.includes('protobuf')) {
        requests.protobuf++
        if (options.count === true) counted += countProtobufSpans(Buffer.concat(chunks))
        else spans.push(...spansOfProtobuf(Buffer.concat(chunks)))
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end()
        return
      }
      requests.json++
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: Array<{ resource?: { attributes?: KeyValue[] }, scopeSpans?: Array<{ spans?: any[] }> }> }
      for (const rs of body.resourceSpans ?? []) {
        const peer = String(attributesOf(rs.resource?.attributes)['agentmesh.peer'] ?? '')
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: s.kind,
              startNs: BigInt(s.startTimeUnixNano), endNs: BigInt(s.endTimeUnixNano),
              attributes: attributesOf(s.attributes), peer, status: s.status ?? {}
            })
          }
        }
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    received: () => counted + spans.length,
    requests,
    close: async () => { await new Promise<void>((resolve) => server.close(() => resolve())) }
  }
}
