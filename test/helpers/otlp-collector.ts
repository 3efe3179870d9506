import { createServer, type Server } from 'node:http'

/** One span as the OTLP/HTTP JSON exporter sent it, flattened. */
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

/** A stand-in OpenTelemetry collector: takes `POST /v1/traces` (OTLP/HTTP, JSON) and keeps the spans. */
export interface OtlpCollector {
  /** The traces endpoint, for `--trace-endpoint`. */
  url: string
  spans: CollectedSpan[]
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

export async function startOtlpCollector (): Promise<OtlpCollector> {
  const spans: CollectedSpan[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !(req.headers['content-type'] ?? '').includes('json')) {
        res.writeHead(415).end()
        return
      }
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
    close: async () => { await new Promise<void>((resolve) => server.close(() => resolve())) }
  }
}
