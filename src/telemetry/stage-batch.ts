import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base'
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import type { HrTime } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { reader } from 'protons-runtime'
import type { RandomPool } from '../envelope/random.js'
import { atOffset } from './hr-time.js'

/**
 * What the stage spans of one task share, in the bytes the encoding copies:
 * the trace id (16 bytes), the task span's id (8 bytes: their parent), the
 * trace flags and the W3C tracestate (UTF-8), if there is one.
 */
export interface EncodedTask {
  traceId: Uint8Array
  parentSpanId: Uint8Array
  traceFlags: number
  traceState?: Uint8Array
}

/**
 * A finished task span, in what the encoding copies: its own ids, its
 * parent's (absent for the root of a trace), and what the SDK's serializer
 * would write for the same span.
 */
export interface EncodedTaskSpan {
  traceId: Uint8Array
  spanId: Uint8Array
  /** The parent span's id; absent for the root of a new trace. */
  parentSpanId?: Uint8Array
  /** Whether the parent came from another process (a caller's or another daemon's traceparent). */
  parentIsRemote: boolean
  traceFlags: number
  traceState?: Uint8Array
  /** UTF-8. */
  name: Uint8Array
  /** OTLP's span kind (the API's `SpanKind` + 1: 2 server, 3 client). */
  kind: number
  startMs: number
  endMs: number
  /** In the order they were first set. Numbers: integers as `int_value`, others as `double_value`. */
  attributes: Iterable<[string, string | number]>
  /** OTLP status code (0 unset, 1 ok, 2 error) and message. */
  status: { code: number, message?: string }
}

/** One export request: the encoded ExportTraceServiceRequest and how many spans it holds. */
export interface EncodedBatch {
  body: Uint8Array
  spans: number
}

/** Sends one request; `done` gets the error if it was not delivered. */
export type SendBatch = (batch: EncodedBatch, done: (error?: Error) => void) => void

/** What {@link StageSpanBatch} needs. */
export interface StageSpanBatchInit {
  /** The request's Resource and InstrumentationScope messages, encoded (see {@link headerOf}). */
  resource: Uint8Array
  scope: Uint8Array
  send: SendBatch
  /** Where the span ids come from (a daemon's {@link RandomPool}). */
  ids: Pick<RandomPool, 'copyInto'>
  /** performance.timeOrigin as an HrTime: stage times are `performance.now()` offsets from it. */
  origin: HrTime
  /** Spans that start an export at once (OTEL_BSP_MAX_EXPORT_BATCH_SIZE; 512). */
  maxBatch: number
  /** Spans held at most while an export is in flight; more are dropped (OTEL_BSP_MAX_QUEUE_SIZE; 2048). */
  maxQueue: number
  /** The longest a span waits for its export (OTEL_BSP_SCHEDULE_DELAY; 5000 ms). */
  delayMs: number
  /** Told about each export that failed, and about spans dropped because the queue was full. */
  onLost?: (spans: number, error?: Error) => void
}

/** Bytes of a varint. */
function varintLength (n: number): number {
  let len = 1
  while (n >= 0x80) {
    n = Math.floor(n / 128)
    len++
  }
  return len
}

function writeVarint (buf: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80
    n = Math.floor(n / 128)
  }
  buf[pos++] = n
  return pos
}

/** A length-delimited field: tag, length, bytes. */
function field (tag: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + varintLength(bytes.length) + bytes.length)
  out[0] = tag
  out.set(bytes, writeVarint(out, 1, bytes.length))
  return out
}

/**
 * `origin` + `ms` as OTLP's fixed64 nanoseconds since 1970, written little
 * endian at `pos`. The product seconds × 10⁹ does not fit a double's 53 bits,
 * so it is made as (seconds × 1,953,125) × 512, with the first product exact
 * (seconds < 2³²) and the second split at bit 23 into the two 32-bit halves.
 */
export function writeNanos (buf: Buffer, pos: number, origin: HrTime, ms: number): number {
  const [seconds, nanos] = atOffset(origin, ms)
  const x = seconds * 1_953_125
  let hi = Math.floor(x / 8_388_608)
  let lo = (x - hi * 8_388_608) * 512 + nanos
  if (lo >= 4_294_967_296) {
    lo -= 4_294_967_296
    hi += 1
  }
  buf.writeUInt32LE(lo, pos)
  buf.writeUInt32LE(hi, pos + 4)
  return pos + 8
}

/** Bytes of a varint of a 64-bit two's-complement integer (a negative `int_value`). */
function bigVarintLength (n: bigint): number {
  let len = 1
  while (n >= 0x80n) {
    n >>= 7n
    len++
  }
  return len
}

function writeBigVarint (buf: Uint8Array, pos: number, n: bigint): number {
  while (n >= 0x80n) {
    buf[pos++] = Number(n & 0x7fn) | 0x80
    n >>= 7n
  }
  buf[pos++] = Number(n)
  return pos
}

/** A length-delimited field's tag, length and bytes, written at `pos`. */
function writeBytes (buf: Uint8Array, pos: number, tag: number, bytes: Uint8Array): number {
  buf[pos++] = tag
  pos = writeVarint(buf, pos, bytes.length)
  buf.set(bytes, pos)
  return pos + bytes.length
}

/** Bytes of a length-delimited field of `n` bytes with a one-byte tag. */
const fieldLength = (n: number): number => 1 + varintLength(n) + n

/** An attribute as a KeyValue message's fields: key, and value as AnyValue. */
function keyValue (key: string, value: string | number): Uint8Array {
  const k = Buffer.from(key)
  let v: Uint8Array
  if (typeof value === 'string') {
    v = field(0x0a, Buffer.from(value)) // string_value
  } else if (Number.isInteger(value)) {
    const big = BigInt.asUintN(64, BigInt(value))
    v = new Uint8Array(1 + bigVarintLength(big))
    v[0] = 0x18 // int_value
    writeBigVarint(v, 1, big)
  } else {
    v = new Uint8Array(9)
    v[0] = 0x21 // double_value
    Buffer.from(v.buffer).writeDoubleLE(value, 1)
  }
  const out = new Uint8Array(fieldLength(k.length) + fieldLength(v.length))
  writeBytes(out, writeBytes(out, 0, 0x0a, k), 0x12, v)
  return out
}

/** Span bytes besides the name and tracestate fields (see {@link StageSpanBatch.add}). */
const FIXED_SPAN_BYTES = 18 + 10 + 10 + 2 + 9 + 9 + 6 + 4 + 6
/** dropped_attributes_count, dropped_events_count, dropped_links_count (all 0) and status { code: UNSET }, as the SDK's serializer writes them. */
const SPAN_TAIL = Uint8Array.from([0x50, 0x00, 0x60, 0x00, 0x70, 0x00, 0x7a, 0x02, 0x18, 0x00])
/** flags: the W3C trace flags, plus "the parent's is-remote is known" (0x100); a stage's parent is local. */
const HAS_IS_REMOTE = 0x100
/** flags: the parent is remote. */
const IS_REMOTE = 0x200
/** dropped_attributes_count, dropped_events_count and dropped_links_count, all 0. */
const DROPPED_NONE = Uint8Array.from([0x50, 0x00, 0x60, 0x00, 0x70, 0x00])
/** The all-zero span id is invalid (W3C trace context). */
const isZero = (buf: Uint8Array, at: number): boolean => {
  for (let i = at; i < at + 8; i++) if (buf[i] !== 0) return false
  return true
}

/**
 * Stage spans of traced tasks, encoded as OTLP protobuf the moment they end
 * and sent in batches, on the batch span processor's schedule and limits.
 *
 * A stage span is finished when it is made and holds nothing of its own but a
 * name, an id and two times (see tracing.ts), so nothing is kept of it but
 * its bytes (≈ 100 per span): no span object waits in a queue for its batch
 * (long enough for the garbage collector to copy it), no hex id is decoded
 * back to bytes at export. The bytes are those the OpenTelemetry SDK's own
 * serializer writes for the same span (test/unit/telemetry/stage-batch.test.ts
 * compares them), so a collector cannot tell the two apart.
 */
export class StageSpanBatch {
  private buf = Buffer.allocUnsafe(64 * 1024)
  private pos = 0
  private count = 0
  private inFlight = false
  private timer?: ReturnType<typeof setTimeout>
  private closed = false
  private readonly resourceField: Uint8Array
  private readonly scopeField: Uint8Array
  private readonly idle: Array<() => void> = []

  constructor (private readonly init: StageSpanBatchInit) {
    this.resourceField = field(0x0a, init.resource)
    this.scopeField = field(0x0a, init.scope)
  }

  /** Spans waiting for an export. */
  get pending (): number {
    return this.count
  }

  /** Encodes the span `name` (UTF-8) of `task` from `startMs` to `endMs` (`performance.now()` values). */
  add (task: EncodedTask, name: Uint8Array, startMs: number, endMs: number): void {
    if (!this.admit()) return
    const ts = task.traceState
    const len = FIXED_SPAN_BYTES + 1 + varintLength(name.length) + name.length + (ts != null ? 1 + varintLength(ts.length) + ts.length : 0)
    this.reserve(1 + varintLength(len) + len)
    const buf = this.buf
    let p = this.pos
    buf[p++] = 0x12 // ScopeSpans.spans
    p = writeVarint(buf, p, len)
    buf[p++] = 0x0a // trace_id
    buf[p++] = 16
    buf.set(task.traceId, p)
    p += 16
    buf[p++] = 0x12 // span_id
    buf[p++] = 8
    do {
      this.init.ids.copyInto(buf, p, 8)
    } while (isZero(buf, p))
    p += 8
    if (ts != null) {
      buf[p++] = 0x1a // trace_state
      p = writeVarint(buf, p, ts.length)
      buf.set(ts, p)
      p += ts.length
    }
    buf[p++] = 0x22 // parent_span_id
    buf[p++] = 8
    buf.set(task.parentSpanId, p)
    p += 8
    buf[p++] = 0x2a // name
    p = writeVarint(buf, p, name.length)
    buf.set(name, p)
    p += name.length
    buf[p++] = 0x30 // kind: SPAN_KIND_INTERNAL
    buf[p++] = 0x01
    buf[p++] = 0x39 // start_time_unix_nano
    p = writeNanos(buf, p, this.init.origin, startMs)
    buf[p++] = 0x41 // end_time_unix_nano
    p = writeNanos(buf, p, this.init.origin, endMs)
    buf.set(SPAN_TAIL, p)
    p += SPAN_TAIL.length
    buf[p++] = 0x85 // flags (field 16, fixed32)
    buf[p++] = 0x01
    buf.writeUInt32LE(((task.traceFlags & 0xff) | HAS_IS_REMOTE) >>> 0, p)
    this.commit(p + 4)
  }

  /**
   * Encodes a finished task span: unlike a stage span it may be the root of
   * its trace, has a kind, attributes and a status, and its parent may be
   * remote.
   */
  addTask (span: EncodedTaskSpan): void {
    if (!this.admit()) return
    const attributes: Uint8Array[] = []
    for (const [key, value] of span.attributes) attributes.push(keyValue(key, value))
    const message = span.status.message != null ? Buffer.from(span.status.message) : undefined
    const status = (message != null ? fieldLength(message.length) : 0) + 1 + varintLength(span.status.code)
    const ts = span.traceState
    const len = 18 + 10 + (ts != null ? fieldLength(ts.length) : 0) + (span.parentSpanId != null ? 10 : 0) + fieldLength(span.name.length) +
      1 + varintLength(span.kind) + 9 + 9 + attributes.reduce((n, a) => n + fieldLength(a.length), 0) + DROPPED_NONE.length + fieldLength(status) + 6
    this.reserve(fieldLength(len))
    const buf = this.buf
    let p = this.pos
    buf[p++] = 0x12 // ScopeSpans.spans
    p = writeVarint(buf, p, len)
    p = writeBytes(buf, p, 0x0a, span.traceId)
    p = writeBytes(buf, p, 0x12, span.spanId)
    if (ts != null) p = writeBytes(buf, p, 0x1a, ts)
    if (span.parentSpanId != null) p = writeBytes(buf, p, 0x22, span.parentSpanId)
    p = writeBytes(buf, p, 0x2a, span.name)
    buf[p++] = 0x30 // kind
    p = writeVarint(buf, p, span.kind)
    buf[p++] = 0x39 // start_time_unix_nano
    p = writeNanos(buf, p, this.init.origin, span.startMs)
    buf[p++] = 0x41 // end_time_unix_nano
    p = writeNanos(buf, p, this.init.origin, span.endMs)
    for (const a of attributes) p = writeBytes(buf, p, 0x4a, a) // attributes
    buf.set(DROPPED_NONE, p)
    p += DROPPED_NONE.length
    buf[p++] = 0x7a // status
    p = writeVarint(buf, p, status)
    if (message != null) p = writeBytes(buf, p, 0x12, message)
    buf[p++] = 0x18 // Status.code
    p = writeVarint(buf, p, span.status.code)
    buf[p++] = 0x85 // flags (field 16, fixed32)
    buf[p++] = 0x01
    buf.writeUInt32LE(((span.traceFlags & 0xff) | HAS_IS_REMOTE | (span.parentSpanId != null && span.parentIsRemote ? IS_REMOTE : 0)) >>> 0, p)
    this.commit(p + 4)
  }

  /** Whether one more span may be queued (counts it as lost if not). */
  private admit (): boolean {
    if (this.closed) return false
    if (this.count < this.init.maxQueue) return true
    this.init.onLost?.(1)
    return false
  }

  /** Ends the span written up to `pos`: counted, and exported now or on the schedule. */
  private commit (pos: number): void {
    this.pos = pos
    this.count++
    if (this.count >= this.init.maxBatch) this.exportNow()
    else this.timer ??= setTimeout(() => { this.timer = undefined; this.exportNow() }, this.init.delayMs).unref()
  }

  /** Sends what is pending and waits until no export is in flight. */
  async flush (): Promise<void> {
    this.exportNow()
    if (!this.inFlight) return
    await new Promise<void>((resolve) => { this.idle.push(resolve) })
    if (this.count > 0) await this.flush()
  }

  /** Sends what is pending, then takes no more spans. */
  async shutdown (): Promise<void> {
    await this.flush()
    this.closed = true
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = undefined
  }

  /** The pending spans as one ExportTraceServiceRequest (one resource, one scope). */
  request (): EncodedBatch {
    const scopeSpans = this.scopeField.length + this.pos
    const resourceSpans = this.resourceField.length + 1 + varintLength(scopeSpans) + scopeSpans
    const body = Buffer.allocUnsafe(1 + varintLength(resourceSpans) + resourceSpans)
    body[0] = 0x0a // ExportTraceServiceRequest.resource_spans
    let p = writeVarint(body, 1, resourceSpans)
    body.set(this.resourceField, p)
    p += this.resourceField.length
    body[p++] = 0x12 // ResourceSpans.scope_spans
    p = writeVarint(body, p, scopeSpans)
    body.set(this.scopeField, p)
    p += this.scopeField.length
    this.buf.copy(body, p, 0, this.pos)
    return { body, spans: this.count }
  }

  private exportNow (): void {
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = undefined
    if (this.inFlight || this.count === 0) return
    const batch = this.request()
    this.pos = 0
    this.count = 0
    this.inFlight = true
    let called = false
    this.init.send(batch, (error) => {
      if (called) return
      called = true
      this.inFlight = false
      if (error != null) this.init.onLost?.(batch.spans, error)
      if (this.count >= this.init.maxBatch) this.exportNow()
      else if (this.count > 0 && !this.closed) this.timer ??= setTimeout(() => { this.timer = undefined; this.exportNow() }, this.init.delayMs).unref()
      for (const resolve of this.idle.splice(0)) resolve()
    })
  }

  private reserve (n: number): void {
    if (this.pos + n <= this.buf.length) return
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(bigger, 0, 0, this.pos)
    this.buf = bigger
  }
}

/** The length-delimited field `fieldNumber` of a protobuf message (the first one). */
function firstField (message: Uint8Array, fieldNumber: number): Uint8Array {
  const r = reader(message)
  while (r.pos < r.len) {
    const tag = r.uint32()
    if (tag >>> 3 === fieldNumber && (tag & 7) === 2) return r.bytes()
    r.skipType(tag & 7)
  }
  throw new Error(`field ${fieldNumber} not found`)
}

/**
 * The Resource and InstrumentationScope messages of `span`, as the SDK's OTLP
 * serializer encodes them (whatever attributes the resource has): taken from
 * the request it makes for that one span.
 */
export function headerOf (span: ReadableSpan): { resource: Uint8Array, scope: Uint8Array } {
  const request = ProtobufTraceSerializer.serializeRequest([span])
  if (request == null) throw new Error('the OTLP serializer made no request')
  const resourceSpans = firstField(request, 1)
  return { resource: firstField(resourceSpans, 1), scope: firstField(firstField(resourceSpans, 2), 1) }
}

/** The ExportTraceServiceResponse of a request, as the SDK's exporter would read it. */
const deserializeResponse = (body: Uint8Array): ReturnType<typeof ProtobufTraceSerializer.deserializeResponse> => ProtobufTraceSerializer.deserializeResponse(body)

/**
 * Sends encoded batches to an OTLP/HTTP traces endpoint with the SDK's own
 * transport: its retries, timeout, `OTEL_EXPORTER_OTLP_*` headers and
 * compression, as the protobuf trace exporter uses them.
 */
export function otlpBatchSender (url: string, timeoutMillis: number): { send: SendBatch, shutdown: () => Promise<void> } {
  const exporter = new OTLPExporterBase<EncodedBatch>(createOtlpHttpExportDelegate(
    convertLegacyHttpOptions({ url, timeoutMillis }, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
    { serializeRequest: (batch: EncodedBatch) => batch.body, deserializeResponse },
    'agentmesh_stage_span_exporter',
    { name: 'span', countItems: (batch: EncodedBatch) => batch.spans },
    undefined
  ))
  return {
    send: (batch, done) => {
      exporter.export(batch, (result) => { done(result.code === 0 ? undefined : (result.error ?? new Error('export failed'))) })
    },
    shutdown: async () => { await exporter.shutdown() }
  }
}
