import { RandomPool } from '../envelope/random.js'
import type { Context, HrTime, Sampler, Span, SpanContext, Tracer } from '@opentelemetry/api'
import type { BasicTracerProvider, ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { Logger } from 'pino'
import { EXPORT_WARN_INTERVAL_MS, SPAN_ATTRIBUTES, TRACE_EXPORT_TIMEOUT_MS, TRACE_SHUTDOWN_TIMEOUT_MS, TRACER_NAME } from './constants.js'
import type { EncodedTask, EncodedTaskSpan as EncodedTaskSpanBytes, StageSpanBatch } from './stage-batch.js'
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
  /** With an OTLP protobuf endpoint: where stage spans go, encoded. */
  encoded?: { batch: StageSpanBatch, shutdown: () => Promise<void> }
  /**
   * With an OTLP protobuf endpoint and nothing that takes span records (no
   * test exporter): task spans are encoded too, without the SDK's tracer,
   * sampled by the sampler it would use (OTEL_TRACES_SAMPLER).
   */
  sampler?: Sampler
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
    const resource = resources.defaultResource().merge(resources.resourceFromAttributes({
      'service.name': init.serviceName,
      'service.instance.id': init.peerId,
      [SPAN_ATTRIBUTES.peer]: init.peerId
    }))
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
        // The requests' resource and scope are the task spans', as the SDK's serializer encodes them.
        const probe = new StageRecord('agentmesh.probe', '0000000000000001', 0, 0, { context: PROBE_CONTEXT, resource, instrumentationScope: SCOPE, origin, core })
        encoded = {
          batch: new StageSpanBatch({
            ...headerOf(probe as unknown as ReadableSpan),
            send: sender.send,
            ids,
            origin,
            maxBatch: env('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? 512,
            maxQueue: env('OTEL_BSP_MAX_QUEUE_SIZE') ?? 2048,
            delayMs: env('OTEL_BSP_SCHEDULE_DELAY') ?? 5000,
            onLost: (spans, error) => { failures.lost(spans, error) }
          }),
          shutdown: async () => {
            await encoded?.batch.shutdown()
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
    // The sampler is the SDK's default, parent-based (a caller's "not sampled" is obeyed), or OTEL_TRACES_SAMPLER's.
    const provider = new sdkTrace.BasicTracerProvider({ resource, spanProcessors })
    const sdk: Sdk = {
      api, core, processors: stageProcessors, ids, names: new Map(), nameBytes: new Map(), origin,
      ...(encoded != null ? { encoded } : {}),
      ...(encoded != null && stageProcessors.length === 0 ? { sampler: samplerFromEnv(sdkTrace, core, init.log) } : {})
    }
    return new Tracing({ sdk, tracer: provider.getTracer(SCOPE.name), provider })
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
    if (this.sdk.sampler != null && this.sdk.encoded != null) return new EncodedTaskSpan(this.sdk, this.sdk.encoded.batch, this.sdk.sampler, side, parent, attributes, startMs ?? performance.now())
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
    this.task ??= encodedTask(this.stages.context)
    encoded.batch.add(this.task, nameBytesOf(this.sdk, stage), startMs, endMs)
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

/** `agentmesh.<stage>` in UTF-8, one buffer per stage name. */
function nameBytesOf (sdk: Sdk, stage: string): Uint8Array {
  let name = sdk.nameBytes.get(stage)
  if (name === undefined) {
    name = Buffer.from(`agentmesh.${stage}`)
    sdk.nameBytes.set(stage, name)
  }
  return name
}

/** SamplingDecision.RECORD_AND_SAMPLED: the only decision under which the SDK's batch processor exports a span. */
const RECORD_AND_SAMPLED = 2

/**
 * A task span that never becomes an SDK span: sampled as the SDK's tracer
 * would sample it (same sampler, same inputs), with ids from the daemon's
 * random pool, and encoded into the daemon's export batch when it ends —
 * the bytes the SDK's serializer would write (stage-batch.test.ts). The
 * tracer's path (a live span object with its limits, clock and processor
 * calls, held in the batch processor's queue until its batch of 512 is
 * exported, then serialized) was most of what tracing cost per task after
 * the stage spans were encoded (README, "What telemetry costs").
 */
class EncodedTaskSpan implements TaskSpan {
  readonly traceparent: string
  readonly tracestate?: string
  private readonly sampled: boolean
  /** What its stage spans copy: trace id, this span's id (their parent), flags and tracestate. */
  private readonly task?: EncodedTask
  private readonly attributes?: Map<string, string | number>
  private readonly parentSpanId?: Uint8Array
  private readonly kind: number
  private ended = false

  constructor (private readonly sdk: Sdk, private readonly batch: StageSpanBatch, sampler: Sampler, side: TaskSide, parent: TraceParent, attributes: Record<string, string | number>, private readonly startMs: number) {
    const { api, core, ids } = sdk
    const remote = parent.traceparent != null ? core.parseTraceParent(parent.traceparent) : null
    let traceState: SpanContext['traceState'] = remote != null && parent.tracestate != null && parent.tracestate !== '' ? new core.TraceState(parent.tracestate) : undefined
    let traceId = remote?.traceId
    while (traceId == null || traceId === ZERO_TRACE_ID) traceId = ids.hex(16)
    const context = remote != null ? api.trace.setSpanContext(api.ROOT_CONTEXT, { ...remote, isRemote: true, ...(traceState != null ? { traceState } : {}) }) : api.ROOT_CONTEXT
    this.kind = side === 'send' ? api.SpanKind.CLIENT : api.SpanKind.SERVER
    const result = sampler.shouldSample(context, traceId, SIDE_NAMES[side], this.kind, attributes, [])
    traceState = result.traceState ?? traceState
    this.sampled = result.decision === RECORD_AND_SAMPLED
    let spanId = ids.hex(8)
    while (spanId === ZERO_SPAN_ID) spanId = ids.hex(8)
    this.traceparent = `00-${traceId}-${spanId}-0${this.sampled ? 1 : 0}`
    const state = traceState?.serialize()
    if (state != null && state !== '') this.tracestate = state
    if (!this.sampled) return
    this.attributes = new Map(Object.entries(attributes))
    for (const [key, value] of Object.entries(result.attributes ?? {})) if (typeof value === 'string' || typeof value === 'number') this.attributes.set(key, value)
    if (remote != null) this.parentSpanId = Buffer.from(remote.spanId, 'hex')
    this.task = { traceId: Buffer.from(traceId, 'hex'), parentSpanId: Buffer.from(spanId, 'hex'), traceFlags: 1, ...(this.tracestate != null ? { traceState: Buffer.from(this.tracestate) } : {}) }
  }

  stage (stage: string, startMs: number, endMs: number): void {
    if (this.task != null && !this.ended) this.batch.add(this.task, nameBytesOf(this.sdk, stage), startMs, endMs)
  }

  setAttribute (key: string, value: string | number): void {
    if (!this.ended) this.attributes?.set(key, value)
  }

  end (error?: { code: string, message: string }, endMs?: number): void {
    if (this.ended) return
    this.ended = true
    const task = this.task
    if (task == null || this.attributes == null) return
    if (error != null) this.attributes.set(SPAN_ATTRIBUTES.errorCode, error.code)
    const span: EncodedTaskSpanBytes = {
      traceId: task.traceId,
      spanId: task.parentSpanId,
      parentIsRemote: true,
      traceFlags: task.traceFlags,
      name: nameBytesOf(this.sdk, this.kind === this.sdk.api.SpanKind.CLIENT ? 'task.send' : 'task.receive'),
      kind: this.kind + 1,
      startMs: this.startMs,
      endMs: Math.max(this.startMs, endMs ?? performance.now()),
      attributes: this.attributes,
      status: error != null ? { code: this.sdk.api.SpanStatusCode.ERROR, message: `${error.code}: ${error.message}` } : { code: this.sdk.api.SpanStatusCode.UNSET },
      ...(this.parentSpanId != null ? { parentSpanId: this.parentSpanId } : {}),
      ...(task.traceState != null ? { traceState: task.traceState } : {})
    }
    this.batch.addTask(span)
  }
}

/** The task spans' names, by side. */
const SIDE_NAMES: Record<TaskSide, string> = { send: 'agentmesh.task.send', receive: 'agentmesh.task.receive' }

/**
 * The sampler the SDK's tracer provider makes from OTEL_TRACES_SAMPLER and
 * OTEL_TRACES_SAMPLER_ARG (parent-based always-on by default), built from the
 * SDK's own sampler classes.
 */
export function samplerFromEnv (sdkTrace: typeof import('@opentelemetry/sdk-trace-base'), core: typeof import('@opentelemetry/core'), log?: Logger): Sampler {
  const { AlwaysOnSampler, AlwaysOffSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = sdkTrace
  const ratio = (): number => {
    const p = core.getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG')
    if (p != null && p >= 0 && p <= 1) return p
    log?.warn({ OTEL_TRACES_SAMPLER_ARG: process.env.OTEL_TRACES_SAMPLER_ARG }, 'OTEL_TRACES_SAMPLER_ARG is not a probability in [0, 1]; sampling every trace')
    return 1
  }
  const name = core.getStringFromEnv('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on'
  switch (name) {
    case 'always_on': return new AlwaysOnSampler()
    case 'always_off': return new AlwaysOffSampler()
    case 'parentbased_always_on': return new ParentBasedSampler({ root: new AlwaysOnSampler() })
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'traceidratio': return new TraceIdRatioBasedSampler(ratio())
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) })
    default:
      log?.warn({ OTEL_TRACES_SAMPLER: name }, 'unknown OTEL_TRACES_SAMPLER; using parentbased_always_on')
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
  }
}

/** The all-zero trace id, which W3C trace context forbids. */
const ZERO_TRACE_ID = '00000000000000000000000000000000'
/** The scope of every agentmesh span, as the SDK's `getTracer(TRACER_NAME)` makes it. */
const SCOPE = { name: TRACER_NAME, version: undefined, schemaUrl: undefined }
/** A span context for the probe record that the export requests' header is made from. */
const PROBE_CONTEXT: SpanContext = { traceId: '00000000000000000000000000000001', spanId: '0000000000000001', traceFlags: 1 }

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
