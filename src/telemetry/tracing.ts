import { RandomPool } from '../envelope/random.js'
import type { Context, HrTime, Span, SpanContext, Tracer } from '@opentelemetry/api'
import type { BasicTracerProvider, ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { Logger } from 'pino'
import { EXPORT_WARN_INTERVAL_MS, SPAN_ATTRIBUTES, TRACE_EXPORT_TIMEOUT_MS, TRACE_SHUTDOWN_TIMEOUT_MS, TRACER_NAME } from './constants.js'
import type { EncodedTask, StageSpanBatch } from './stage-batch.js'
import { atOffset } from './hr-time.js'

/** What {@link Tracing.create} needs. */
export interface TracingInit {
  /** OTLP/HTTP traces endpoint, e.g. `http://collector:4318/v1/traces`; null: no OTLP export. */
  endpoint: string | null
  /** How spans are encoded for the endpoint (default `http/protobuf`). */
  protocol?: 'http/protobuf' | 'http/json'
  /** `service.name` of the resource (`agentmesh`). */
  serviceName: string
  /** This daemon's peer ID: `agentmesh.peer` and `service.instance.id` of the resource. */
  peerId: string
  /** Tests and the simulator: spans go here too, each as it ends. */
  exporter?: SpanExporter
  /** Where failed exports are reported (at most once a minute). */
  log?: Logger
}

/** A caller's W3C trace context, as its `traceparent` and `tracestate` headers carry it. */
export interface TraceParent {
  traceparent?: string
  tracestate?: string
}

/** Which daemon of a task a span is on: the caller's (`send`) or the agent's (`receive`). */
export type TaskSide = 'send' | 'receive'

/** The span of one task on one daemon; see {@link Tracing.startTask}. */
export interface TaskSpan {
  /**
   * Records a finished child span `agentmesh.<stage>` from `startMs` to `endMs`,
   * both `performance.now()` values (as a `StageClock` reads them).
   */
  stage: (stage: string, startMs: number, endMs: number) => void
  /**
   * W3C traceparent of this span: the sending daemon puts it in the envelope
   * (and the receiving one in its call to the agent), so that the next hop's
   * spans are its children, in the same trace.
   */
  readonly traceparent: string
  /** W3C tracestate, passed on from the caller's, if it sent one. */
  readonly tracestate?: string
  /** Adds or replaces an attribute (e.g. `agentmesh.task_id` once it is known). */
  setAttribute: (key: string, value: string | number) => void
  /**
   * Ends the task span, at `endMs` (a `performance.now()` value) or now; with
   * an error, marks it failed (status ERROR, `agentmesh.error_code`).
   */
  end: (error?: { code: string, message: string }, endMs?: number) => void
}

/** The OpenTelemetry modules, loaded only when tracing is on, and where finished stage spans go. */
interface Sdk {
  api: typeof import('@opentelemetry/api')
  core: typeof import('@opentelemetry/core')
  /**
   * Span processors that take stage spans as span records: a test's exporter,
   * and the batching OTLP one when it exports JSON.
   */
  processors: SpanProcessor[]
  /** With an OTLP protobuf endpoint: where stage spans go, encoded (made with the first one). */
  encoded?: { batch?: StageSpanBatch, make: (probe: ReadableSpan) => StageSpanBatch, shutdown: () => Promise<void> }
  /** `agentmesh.<stage>` in UTF-8, for the encoded stage spans. */
  nameBytes: Map<string, Uint8Array>
  /** Where this daemon's stage span ids come from. */
  ids: RandomPool
  /** `agentmesh.<stage>` for each stage seen so far: one string per stage name, not one per span. */
  names: Map<string, string>
  /** performance.timeOrigin as an HrTime (it does not change while the process lives). */
  origin: HrTime
}

/**
 * OpenTelemetry tracing for one daemon: a tracer provider of its own, never
 * registered globally (the simulator and the tests run many daemons in one
 * process), exporting through a batching OTLP/HTTP exporter when an endpoint
 * is configured. Disabled, it loads no OpenTelemetry module, allocates no
 * provider and {@link startTask} returns undefined at once.
 */
export class Tracing {
  readonly enabled: boolean
  private readonly sdk?: Sdk
  private readonly tracer?: Tracer
  private readonly provider?: BasicTracerProvider
  private stopping?: Promise<void>

  private constructor (parts?: { sdk: Sdk, tracer: Tracer, provider: BasicTracerProvider }) {
    this.enabled = parts != null
    if (parts != null) {
      this.sdk = parts.sdk
      this.tracer = parts.tracer
      this.provider = parts.provider
    }
  }

  /** Tracing that records nothing. */
  static disabled (): Tracing {
    return new Tracing()
  }

  /**
   * Tracing with `init`'s endpoint and exporter, or {@link disabled} if it has
   * neither. Async because the OpenTelemetry SDK is imported only here (a
   * daemon without tracing does not pay its load time).
   */
  static async create (init: TracingInit): Promise<Tracing> {
    if (init.endpoint == null && init.exporter == null) return Tracing.disabled()
    const [api, core, resources, sdkTrace] = await Promise.all([
      import('@opentelemetry/api'), import('@opentelemetry/core'), import('@opentelemetry/resources'), import('@opentelemetry/sdk-trace-base')
    ])
    const spanProcessors: SpanProcessor[] = []
    const stageProcessors: SpanProcessor[] = []
    const ids = new RandomPool()
    const origin = core.millisToHrTime(performance.timeOrigin)
    let encoded: Sdk['encoded']
    if (init.endpoint != null) {
      const protocol = init.protocol ?? 'http/protobuf'
      const failures = new FailureLog(init.endpoint, init.log)
      // Protobuf is the OpenTelemetry default, and smaller and cheaper to make than JSON (README, "What telemetry costs").
      const { OTLPTraceExporter } = protocol === 'http/json'
        ? await import('@opentelemetry/exporter-trace-otlp-http')
        : await import('@opentelemetry/exporter-trace-otlp-proto')
      const otlp = new OTLPTraceExporter({ url: init.endpoint, timeoutMillis: TRACE_EXPORT_TIMEOUT_MS })
      // The standard OTEL_BSP_* variables tune the batches (default: every 5 s or 512 spans).
      const batching = new sdkTrace.BatchSpanProcessor(reportFailures(otlp, failures, core.ExportResultCode.SUCCESS))
      spanProcessors.push(batching)
      if (protocol === 'http/json') stageProcessors.push(batching)
      else {
        // Stage spans skip the span processor: encoded as they end, sent in batches of their own (stage-batch.ts).
        const { StageSpanBatch, headerOf, otlpBatchSender } = await import('./stage-batch.js')
        const sender = otlpBatchSender(init.endpoint, TRACE_EXPORT_TIMEOUT_MS)
        const env = core.getNumberFromEnv
        encoded = {
          make: (probe) => new StageSpanBatch({
            ...headerOf(probe),
            send: sender.send,
            ids,
            origin,
            maxBatch: env('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? 512,
            maxQueue: env('OTEL_BSP_MAX_QUEUE_SIZE') ?? 2048,
            delayMs: env('OTEL_BSP_SCHEDULE_DELAY') ?? 5000,
            onLost: (spans, error) => { failures.lost(spans, error) }
          }),
          shutdown: async () => {
            await encoded?.batch?.shutdown()
            await sender.shutdown()
          }
        }
      }
      init.log?.info({ endpoint: init.endpoint, protocol }, 'exporting task traces over OTLP/HTTP')
    }
    if (init.exporter != null) {
      const simple = new sdkTrace.SimpleSpanProcessor(init.exporter)
      spanProcessors.push(simple)
      stageProcessors.push(simple)
    }
    const resource = resources.defaultResource().merge(resources.resourceFromAttributes({
      'service.name': init.serviceName,
      'service.instance.id': init.peerId,
      [SPAN_ATTRIBUTES.peer]: init.peerId
    }))
    // The sampler is the SDK's default, parent-based (a caller's "not sampled" is obeyed), or OTEL_TRACES_SAMPLER's.
    const provider = new sdkTrace.BasicTracerProvider({ resource, spanProcessors })
    const sdk: Sdk = { api, core, processors: stageProcessors, ids, names: new Map(), nameBytes: new Map(), origin, ...(encoded != null ? { encoded } : {}) }
    return new Tracing({ sdk, tracer: provider.getTracer(TRACER_NAME), provider })
  }

  /**
   * Starts the span of one task on this daemon, `agentmesh.task.send` (kind
   * CLIENT) or `agentmesh.task.receive` (SERVER): a child of `parent`'s
   * traceparent if it is a valid one (a client's, or the sending daemon's task
   * span from the envelope), else the root of a new trace. `startMs` is a
   * `performance.now()` value (default now): the start of the task's first
   * stage. Undefined when tracing is off.
   */
  startTask (side: TaskSide, parent: TraceParent, attributes: Record<string, string | number>, startMs?: number): TaskSpan | undefined {
    if (this.sdk == null || this.tracer == null) return undefined
    const { api, core } = this.sdk
    const tracer = this.tracer
    let parentContext: Context = api.ROOT_CONTEXT
    const remote = parent.traceparent != null ? core.parseTraceParent(parent.traceparent) : null
    if (remote != null) {
      const traceState = parent.tracestate != null && parent.tracestate !== '' ? new core.TraceState(parent.tracestate) : undefined
      parentContext = api.trace.setSpanContext(api.ROOT_CONTEXT, { ...remote, isRemote: true, ...(traceState != null ? { traceState } : {}) })
    }
    const span = tracer.startSpan(side === 'send' ? 'agentmesh.task.send' : 'agentmesh.task.receive', {
      kind: side === 'send' ? api.SpanKind.CLIENT : api.SpanKind.SERVER,
      startTime: core.hrTime(startMs ?? performance.now()),
      attributes
    }, parentContext)
    return new OtelTaskSpan(span, this.sdk)
  }

  /** Exports what is still queued and stops; waits at most a few seconds (an unreachable collector must not hold a shutdown). Idempotent. */
  async shutdown (): Promise<void> {
    const provider = this.provider
    if (provider == null) return
    const encoded = this.sdk?.encoded
    this.stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, TRACE_SHUTDOWN_TIMEOUT_MS)
      timer.unref()
      Promise.all([provider.shutdown(), encoded?.shutdown()]).catch(() => {}).finally(() => { clearTimeout(timer); resolve() })
    })
    await this.stopping
  }
}

/** A {@link TaskSpan} over an OpenTelemetry span. */
class OtelTaskSpan implements TaskSpan {
  readonly traceparent: string
  readonly tracestate?: string
  private readonly recording: boolean
  /** What the stage spans share: the task span's context, resource and scope, and the clock's origin. */
  private readonly stages: StageParent
  /** The same for encoded stage spans, in bytes (made with the first one). */
  private task?: EncodedTask

  constructor (private readonly span: Span, private readonly sdk: Sdk) {
    const sc = span.spanContext()
    const task = span as unknown as ReadableSpan
    this.stages = { context: sc, resource: task.resource, instrumentationScope: task.instrumentationScope, origin: sdk.origin, core: sdk.core }
    this.traceparent = `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`
    const state = sc.traceState?.serialize()
    if (state != null && state !== '') this.tracestate = state
    // A span the sampler dropped (the caller said "not sampled") still passes its context on, but records nothing.
    this.recording = span.isRecording()
  }

  /**
   * A stage span is finished the moment it is made, has no attributes, events
   * or links, and its parent, sampling decision, resource and scope are the
   * task span's: so it is built here as the finished span record the
   * exporters read and handed to the span processors, instead of going through
   * the SDK's tracer (sampler, context, span limits, a live span object, then
   * end). A task has up to twelve stages per daemon, and the tracer's path was
   * most of what tracing cost per task (see README, "What telemetry costs").
   */
  stage (stage: string, startMs: number, endMs: number): void {
    if (!this.recording) return
    const { names, ids, processors, encoded } = this.sdk
    if (encoded != null) this.encode(encoded, stage, startMs, endMs)
    if (processors.length === 0) return
    let name = names.get(stage)
    if (name === undefined) {
      name = `agentmesh.${stage}`
      names.set(stage, name)
    }
    let spanId = ids.hex(8)
    while (spanId === ZERO_SPAN_ID) spanId = ids.hex(8)
    const record = new StageRecord(name, spanId, startMs, endMs, this.stages)
    for (const p of processors) p.onEnd(record as unknown as ReadableSpan)
  }

  /** Encodes the stage span into the daemon's batch (see stage-batch.ts). */
  private encode (encoded: NonNullable<Sdk['encoded']>, stage: string, startMs: number, endMs: number): void {
    const { nameBytes } = this.sdk
    let name = nameBytes.get(stage)
    if (name === undefined) {
      name = Buffer.from(`agentmesh.${stage}`)
      nameBytes.set(stage, name)
    }
    if (encoded.batch == null) {
      // The request's resource and scope are the task span's, as the SDK's serializer encodes them.
      encoded.batch = encoded.make(new StageRecord(`agentmesh.${stage}`, '0000000000000001', startMs, endMs, this.stages) as unknown as ReadableSpan)
    }
    this.task ??= encodedTask(this.stages.context)
    encoded.batch.add(this.task, name, startMs, endMs)
  }

  setAttribute (key: string, value: string | number): void {
    this.span.setAttribute(key, value)
  }

  end (error?: { code: string, message: string }, endMs?: number): void {
    if (error != null) {
      this.span.setAttribute(SPAN_ATTRIBUTES.errorCode, error.code)
      this.span.setStatus({ code: this.sdk.api.SpanStatusCode.ERROR, message: `${error.code}: ${error.message}` })
    }
    const at: HrTime = this.sdk.core.hrTime(endMs ?? performance.now())
    this.span.end(at)
  }
}

/** The all-zero span id, which W3C trace context forbids. */
const ZERO_SPAN_ID = '0000000000000000'
const NO_ATTRIBUTES = Object.freeze({})
const NO_LINKS: ReadableSpan['links'] = Object.freeze([]) as unknown as ReadableSpan['links']
const NO_EVENTS: ReadableSpan['events'] = Object.freeze([]) as unknown as ReadableSpan['events']
/** SpanStatusCode.UNSET. */
const UNSET_STATUS = Object.freeze({ code: 0 })

/** What every stage span of one task shares (one object per task). */
interface StageParent {
  /** The task span's context: the stage spans' parent, trace id, flags and state. */
  context: SpanContext
  resource: ReadableSpan['resource']
  instrumentationScope: ReadableSpan['instrumentationScope']
  /** performance.timeOrigin as an HrTime: a stage's `performance.now()` times are offsets from it. */
  origin: HrTime
  core: typeof import('@opentelemetry/core')
}

/**
 * One finished stage span, as span processors and exporters read a span
 * (`ReadableSpan`): a child of the task span, in its trace, with its trace
 * flags and state, resource and instrumentation scope; kind INTERNAL, no
 * attributes, events or links.
 *
 * A span waits in the batch processor's queue until its batch is exported
 * (up to 512 spans): long enough for the young generation to copy it, or
 * promote it to the old one. So a record holds only what is its own (name,
 * shared per stage; span id; two times) and is its own span context;
 * the rest is read from the task's {@link StageParent}, and the HrTime
 * arrays the exporters read are made when they read them.
 */
class StageRecord {
  readonly kind = 0 // SpanKind.INTERNAL
  readonly status = UNSET_STATUS
  readonly attributes = NO_ATTRIBUTES
  readonly links = NO_LINKS
  readonly events = NO_EVENTS
  readonly ended = true
  readonly droppedAttributesCount = 0
  readonly droppedEventsCount = 0
  readonly droppedLinksCount = 0

  constructor (readonly name: string, readonly spanId: string, private readonly startMs: number, private readonly endMs: number, private readonly parent: StageParent) {}

  /** The span's context: the record itself (trace id, span id, flags and state). */
  spanContext (): SpanContext {
    return this
  }

  get traceId (): string { return this.parent.context.traceId }
  get traceFlags (): number { return this.parent.context.traceFlags }
  get traceState (): SpanContext['traceState'] { return this.parent.context.traceState }
  get parentSpanContext (): SpanContext { return this.parent.context }
  get resource (): ReadableSpan['resource'] { return this.parent.resource }
  get instrumentationScope (): ReadableSpan['instrumentationScope'] { return this.parent.instrumentationScope }
  get startTime (): HrTime { return atOffset(this.parent.origin, this.startMs) }
  get endTime (): HrTime { return atOffset(this.parent.origin, this.endMs) }
  get duration (): HrTime { return this.parent.core.hrTimeDuration(this.startTime, this.endTime) }
}

/** What the encoded stage spans of one task copy: its trace id, its span id (their parent), flags and tracestate. */
function encodedTask (context: SpanContext): EncodedTask {
  const state = context.traceState?.serialize()
  return {
    traceId: Buffer.from(context.traceId, 'hex'),
    parentSpanId: Buffer.from(context.spanId, 'hex'),
    traceFlags: context.traceFlags,
    ...(state != null && state !== '' ? { traceState: Buffer.from(state) } : {})
  }
}

/** Logs lost spans (failed exports, a full queue) at most once a minute, with how many were lost meanwhile. */
class FailureLog {
  private lastWarned = -Infinity
  private failed = 0

  constructor (private readonly endpoint: string, private readonly log: Logger | undefined) {}

  lost (spans: number, error?: Error): void {
    this.failed += spans
    const now = performance.now()
    if (this.log == null || now - this.lastWarned < EXPORT_WARN_INTERVAL_MS) return
    this.lastWarned = now
    this.log.warn({ endpoint: this.endpoint, spansLost: this.failed, err: error?.message ?? 'export queue full' }, 'trace export failed; spans are dropped')
    this.failed = 0
  }
}

/** Wraps an exporter so that failed exports are logged (OpenTelemetry would only tell its global diagnostic logger). */
function reportFailures (exporter: SpanExporter, failures: FailureLog, success: number): SpanExporter {
  return {
    export: (spans, done) => {
      exporter.export(spans, (result) => {
        if (result.code !== success) failures.lost(spans.length, result.error)
        done(result)
      })
    },
    shutdown: async () => { await exporter.shutdown() },
    forceFlush: async () => { await exporter.forceFlush?.() }
  }
}
