import { createServer, type Server } from 'node:http'
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
  spans: CollectedSpan[]
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

export async function startOtlpCollector (): Promise<OtlpCollector> {
  const spans: CollectedSpan[] = []
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
        spans.push(...spansOfProtobuf(Buffer.concat(chunks)))
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
    requests,
    close: async () => { await new Promise<void>((resolve) => server.close(() => resolve())) }
  }
}
