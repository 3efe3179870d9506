import { serviceCapabilities } from '@libp2p/interface'
import type {
  CalculatedHistogramOptions, CalculatedMetricOptions, CalculatedSummaryOptions, Counter as Libp2pCounter, CounterGroup, Histogram as Libp2pHistogram,
  HistogramGroup, HistogramOptions, Metric, MetricGroup, MetricOptions, Metrics as Libp2pMetrics, MultiaddrConnection, Stream, Summary as Libp2pSummary,
  SummaryGroup, SummaryOptions
} from '@libp2p/interface'
import { Counter, Gauge, Histogram, Summary, type Registry } from 'prom-client'

/** Where {@link libp2pMetrics} puts libp2p's metrics. */
export interface Libp2pMetricsInit {
  registry: Registry
  /** kad-dht's operation timers are also recorded here, by operation and outcome (`ok`, `error`). */
  dhtOperations?: Histogram<'operation' | 'outcome'>
  /** Count bytes per protocol (`libp2p_data_transfer_bytes_total`); default true. */
  transferStats?: boolean
}

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const DEFAULT_PERCENTILES = [0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999]
/** kad-dht times each operation twice, once for success and once for failure, and stops one of them. */
const DHT_TIMERS = /_kad_dht_operation(_error)?_time_seconds$/

/**
 * libp2p's metrics (connections, streams, DHT, transports, Noise …) in our
 * prom-client registry. Does what `@libp2p/prometheus-metrics` does, with the
 * same metric names, but keeps its metrics per node: that package holds them
 * in a module-level map and clears prom-client's global registry whenever a
 * node is created, so two nodes in one process (the simulator) would count
 * into each other's metrics.
 */
export function libp2pMetrics (init: Libp2pMetricsInit): () => Libp2pMetrics {
  return () => new RegistryMetrics(init)
}

type Calculated = CalculatedMetricOptions<any> | CalculatedHistogramOptions<any> | CalculatedSummaryOptions<any>
type AnyOptions = (MetricOptions & HistogramOptions & SummaryOptions) | Calculated

function clean (s: string): string {
  return s.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_+/g, '_')
}

function valueOf (v: number | true | undefined): number {
  return typeof v === 'number' ? v : 1
}

/** The libp2p `Metrics` component over one registry. */
class RegistryMetrics implements Libp2pMetrics {
  readonly [Symbol.toStringTag] = 'agentmesh/libp2p-metrics'
  readonly [serviceCapabilities] = ['@libp2p/metrics']
  private readonly registry: Registry
  private readonly registered = new Map<string, unknown>()
  private readonly transfer = new Map<string, number>()
  private readonly init: Libp2pMetricsInit

  constructor (init: Libp2pMetricsInit) {
    this.init = init
    this.registry = init.registry
    if (init.transferStats !== false) {
      const transfer = this.transfer
      this.once('libp2p_data_transfer_bytes_total', () => new Counter({
        name: 'libp2p_data_transfer_bytes_total', help: 'Bytes sent and received, overall (global) and per protocol', labelNames: ['protocol'], registers: [this.registry],
        collect () {
          for (const [key, n] of transfer) this.inc({ protocol: key }, n)
          transfer.clear()
        }
      }))
    }
  }

  start (): void {}
  stop (): void { this.transfer.clear() }

  trackMultiaddrConnection (maConn: MultiaddrConnection): void { this.track(maConn, 'global') }

  trackProtocolStream (stream: Stream): void {
    if (stream.protocol != null) this.track(stream, stream.protocol)
  }

  /** Counts a stream's bytes without adding a `message` listener (that would start its delivery before the protocol handler listens). */
  private track (stream: MultiaddrConnection | Stream, name: string): void {
    if (this.init.transferStats === false) return
    const sent = `${name} sent`
    const received = `${name} received`
    const transfer = this.transfer
    const dispatch = stream.dispatchEvent.bind(stream)
    stream.dispatchEvent = (evt: Event): boolean => {
      if (evt.type === 'message') transfer.set(received, (transfer.get(received) ?? 0) + ((evt as Event & { data: { byteLength: number } }).data.byteLength))
      return dispatch(evt)
    }
    const send = stream.send.bind(stream)
    stream.send = (buf) => {
      transfer.set(sent, (transfer.get(sent) ?? 0) + buf.byteLength)
      return send(buf)
    }
  }

  /** A libp2p component may register a name more than once (one per listener, per queue …): they share one metric. */
  private once<T> (name: string, make: () => T): T {
    const key = clean(name)
    let m = this.registered.get(key) as T | undefined
    if (m == null) {
      m = make()
      this.registered.set(key, m)
    }
    return m
  }

  registerMetric (name: string, opts?: MetricOptions): Metric
  registerMetric (name: string, opts: CalculatedMetricOptions): void
  registerMetric (name: string, opts: AnyOptions = {}): Metric | undefined {
    const calc = (opts as Calculated).calculate
    const gauge = this.once(name, () => new Gauge({
      name: clean(name), help: clean(opts.help ?? name), labelNames: opts.label != null ? [clean(opts.label)] : [], registers: [this.registry],
      ...(calc != null ? { async collect () { this.set(await calc() as number) } } : {})
    }))
    if (calc != null) return undefined
    return {
      update: (v) => { gauge.set(v) },
      increment: (v = 1) => { gauge.inc(v) },
      decrement: (v = 1) => { gauge.dec(v) },
      reset: () => { gauge.reset() },
      timer: () => gauge.startTimer()
    }
  }

  registerMetricGroup (name: string, opts?: MetricOptions): MetricGroup
  registerMetricGroup (name: string, opts: CalculatedMetricOptions<Record<string, number>>): void
  registerMetricGroup (name: string, opts: AnyOptions = {}): MetricGroup | undefined {
    const label = clean(opts.label ?? name)
    const calc = (opts as Calculated).calculate
    const gauge = this.once(name, () => new Gauge({
      name: clean(name), help: clean(opts.help ?? name), labelNames: [label], registers: [this.registry],
      ...(calc != null ? { async collect () { for (const [k, v] of Object.entries(await calc() as Record<string, number>)) this.set({ [label]: k }, v) } } : {})
    }))
    if (calc != null) return undefined
    const dht = this.init.dhtOperations
    const outcome = /_error_time_seconds$/.test(name) ? 'error' : 'ok'
    return {
      update: (values) => { for (const [k, v] of Object.entries(values)) gauge.set({ [label]: k }, v as number) },
      increment: (values) => { for (const [k, v] of Object.entries(values)) gauge.inc({ [label]: k }, valueOf(v as number | true)) },
      decrement: (values) => { for (const [k, v] of Object.entries(values)) gauge.dec({ [label]: k }, valueOf(v as number | true)) },
      reset: () => { gauge.reset() },
      timer: (key) => {
        const stop = gauge.startTimer({ [label]: key })
        if (dht == null || !DHT_TIMERS.test(name)) return stop
        return () => { dht.observe({ operation: key, outcome }, stop()) }
      }
    }
  }

  registerCounter (name: string, opts?: MetricOptions): Libp2pCounter
  registerCounter (name: string, opts: CalculatedMetricOptions): void
  registerCounter (name: string, opts: AnyOptions = {}): Libp2pCounter | undefined {
    const calc = (opts as Calculated).calculate
    const counter = this.once(name, () => new Counter({
      name: clean(name), help: clean(opts.help ?? name), labelNames: opts.label != null ? [clean(opts.label)] : [], registers: [this.registry],
      ...(calc != null ? { async collect () { this.inc(await calc() as number) } } : {})
    }))
    if (calc != null) return undefined
    return { increment: (v = 1) => { counter.inc(v) }, reset: () => { counter.reset() } }
  }

  registerCounterGroup (name: string, opts?: MetricOptions): CounterGroup
  registerCounterGroup (name: string, opts: CalculatedMetricOptions<Record<string, number>>): void
  registerCounterGroup (name: string, opts: AnyOptions = {}): CounterGroup | undefined {
    const label = clean(opts.label ?? name)
    const calc = (opts as Calculated).calculate
    const counter = this.once(name, () => new Counter({
      name: clean(name), help: clean(opts.help ?? name), labelNames: [label], registers: [this.registry],
      ...(calc != null ? { async collect () { for (const [k, v] of Object.entries(await calc() as Record<string, number>)) this.inc({ [label]: k }, v) } } : {})
    }))
    if (calc != null) return undefined
    return {
      increment: (values) => { for (const [k, v] of Object.entries(values)) counter.inc({ [label]: k }, valueOf(v as number | true)) },
      reset: () => { counter.reset() }
    }
  }

  registerHistogram (name: string, opts?: HistogramOptions): Libp2pHistogram
  registerHistogram (name: string, opts: CalculatedHistogramOptions): void
  registerHistogram (name: string, opts: AnyOptions = {}): Libp2pHistogram | undefined {
    const calc = (opts as Calculated).calculate
    const h = this.once(name, () => new Histogram({
      name: clean(name), help: clean(opts.help ?? name), buckets: (opts as HistogramOptions).buckets ?? DEFAULT_BUCKETS, registers: [this.registry],
      ...(calc != null ? { async collect () { this.observe(await calc() as number) } } : {})
    }))
    if (calc != null) return undefined
    return { observe: (v) => { h.observe(v) }, reset: () => { h.reset() }, timer: () => h.startTimer() }
  }

  registerHistogramGroup (name: string, opts?: HistogramOptions): HistogramGroup
  registerHistogramGroup (name: string, opts: CalculatedHistogramOptions<Record<string, number>>): void
  registerHistogramGroup (name: string, opts: AnyOptions = {}): HistogramGroup | undefined {
    const label = clean(opts.label ?? name)
    const calc = (opts as Calculated).calculate
    const h = this.once(name, () => new Histogram({
      name: clean(name), help: clean(opts.help ?? name), buckets: (opts as HistogramOptions).buckets ?? DEFAULT_BUCKETS, labelNames: [label], registers: [this.registry],
      ...(calc != null ? { async collect () { for (const [k, v] of Object.entries(await calc() as Record<string, number>)) this.observe({ [label]: k }, v) } } : {})
    }))
    if (calc != null) return undefined
    return {
      observe: (values) => { for (const [k, v] of Object.entries(values)) h.observe({ [label]: k }, v as number) },
      reset: () => { h.reset() },
      timer: (key) => h.startTimer({ [label]: key })
    }
  }

  registerSummary (name: string, opts?: SummaryOptions): Libp2pSummary
  registerSummary (name: string, opts: CalculatedSummaryOptions): void
  registerSummary (name: string, opts: AnyOptions = {}): Libp2pSummary | undefined {
    const calc = (opts as Calculated).calculate
    const s = this.once(name, () => new Summary({
      name: clean(name), help: clean(opts.help ?? name), registers: [this.registry], ...summaryOptions(opts as SummaryOptions),
      ...(calc != null ? { async collect () { this.observe(await calc() as number) } } : {})
    }))
    if (calc != null) return undefined
    return { observe: (v) => { s.observe(v) }, reset: () => { s.reset() }, timer: () => s.startTimer() }
  }

  registerSummaryGroup (name: string, opts?: SummaryOptions): SummaryGroup
  registerSummaryGroup (name: string, opts: CalculatedSummaryOptions<Record<string, number>>): void
  registerSummaryGroup (name: string, opts: AnyOptions = {}): SummaryGroup | undefined {
    const label = clean(opts.label ?? name)
    const calc = (opts as Calculated).calculate
    const s = this.once(name, () => new Summary({
      name: clean(name), help: clean(opts.help ?? name), labelNames: [label], registers: [this.registry], ...summaryOptions(opts as SummaryOptions),
      ...(calc != null ? { async collect () { for (const [k, v] of Object.entries(await calc() as Record<string, number>)) this.observe({ [label]: k }, v) } } : {})
    }))
    if (calc != null) return undefined
    return {
      observe: (values) => { for (const [k, v] of Object.entries(values)) s.observe({ [label]: k }, v as number) },
      reset: () => { s.reset() },
      timer: (key) => s.startTimer({ [label]: key })
    }
  }

  /** Tracing is the OpenTelemetry layer's job, not the metrics'. */
  createTrace (): undefined { return undefined }

  traceFunction<F extends (...args: any[]) => any> (_name: string, fn: F): F { return fn }
}

function summaryOptions (opts: SummaryOptions): { percentiles: number[], compressCount: number, maxAgeSeconds?: number, ageBuckets?: number, pruneAgedBuckets?: boolean } {
  return {
    percentiles: opts.percentiles ?? DEFAULT_PERCENTILES,
    compressCount: opts.compressCount ?? 1000,
    ...(opts.maxAgeSeconds != null ? { maxAgeSeconds: opts.maxAgeSeconds } : {}),
    ...(opts.ageBuckets != null ? { ageBuckets: opts.ageBuckets } : {}),
    ...(opts.pruneAgedBuckets != null ? { pruneAgedBuckets: opts.pruneAgedBuckets } : {})
  }
}
