import { sendMessage } from '../agents.js'
import { pool, summary } from '../measure.js'
import { SimMesh } from '../mesh.js'
import type { SimOptions } from '../options.js'
import type { Progress } from '../progress.js'
import type { ReportSection } from '../report/html.js'
import { latencyHistogram } from '../report/charts.js'
import { agentName } from '../topology.js'

/** What a flood run measures: the others' service, idle and while one node floods. */
export interface FloodResult {
  flooder: number
  /** Tasks the flooder got through, and how its calls ended. */
  flood: { sent: number, delivered: number, outcomes: Record<string, number>, perSecond: number }
  idle: { delivered: number, sent: number, ms: ReturnType<typeof summary> }
  underFlood: { delivered: number, sent: number, ms: ReturnType<typeof summary> }
  /** p99 under flood / p99 idle. */
  p99Ratio: number
  samples: { idleMs: number[], floodMs: number[] }
}

/**
 * Flood: one node sends tasks as fast as its daemon lets it (64 at a time,
 * to a handful of victims); the other nodes' tasks are measured against an
 * idle run of the same probes on the same mesh.
 */
export async function runFlood (o: SimOptions, progress: Progress): Promise<FloodResult> {
  const mesh = new SimMesh({
    options: o, topology: 'flat', enforcement: o.enforcement ?? true, operatorsCallAnyone: true,
    onProgress: (d, t, phase) => { progress.update(phase, d, t) }
  })
  try {
    await mesh.prepare()
    await mesh.startAll()
    await mesh.converge(Math.max(30_000, o.nodes * 60))
    const n = mesh.size
    const rng = mesh.rng.fork()
    const flooder = 1 + rng.int(n - 1)
    const victims = rng.sample([...Array(n).keys()].filter((i) => i !== flooder), 3)
    const honest = [...Array(n).keys()].filter((i) => i !== flooder)
    const probes = (count: number): Array<[number, number]> => Array.from({ length: count }, () => {
      const [a, b] = rng.sample(honest, 2) as [number, number]
      return [a, b]
    })
    const addr = (i: number): string => `${agentName(i)}@${mesh.peerIds[i] ?? ''}`
    const measure = async (phase: string, pairs: Array<[number, number]>): Promise<{ ms: number[], delivered: number }> => {
      const ms: number[] = []
      let delivered = 0
      await pool(pairs, 4, async ([a, b]) => {
        const r = await mesh.nodes[a]!.call('operator', addr(b), sendMessage('probe'), AbortSignal.timeout(30_000))
        if (r.ok) { delivered++; ms.push(r.ms) }
      }, (d) => { progress.update(phase, d, pairs.length) })
      return { ms, delivered }
    }
    // Warm both paths (connections, certificates) so that the idle figure is not a cold start.
    await measure('warm-up', probes(Math.min(20, o.tasks)))
    const idlePairs = probes(o.tasks)
    const idle = await measure('idle probes', idlePairs)
    const stop = new AbortController()
    const outcomes: Record<string, number> = {}
    let sent = 0
    let delivered = 0
    const floodStart = performance.now()
    const flooding = Promise.all(Array.from({ length: 64 }, async (_, k) => {
      while (!stop.signal.aborted) {
        const v = victims[k % victims.length] as number
        sent++
        const r = await mesh.nodes[flooder]!.call('operator', addr(v), sendMessage('flood'), AbortSignal.any([stop.signal, AbortSignal.timeout(30_000)]))
        if (r.ok) delivered++
        else outcomes[r.reason ?? '?'] = (outcomes[r.reason ?? '?'] ?? 0) + 1
        // A refusal can come back without touching the event loop; yield, or the loop starves every timer.
        await new Promise((resolve) => setImmediate(resolve))
      }
    }))
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const floodPairs = probes(o.tasks)
    const under = await measure('probes under flood', floodPairs)
    stop.abort()
    await flooding
    const floodSeconds = (performance.now() - floodStart) / 1000
    const si = summary(idle.ms)
    const sf = summary(under.ms)
    return {
      flooder,
      flood: { sent, delivered, outcomes, perSecond: Math.round(sent / floodSeconds) },
      idle: { delivered: idle.delivered, sent: idlePairs.length, ms: si },
      underFlood: { delivered: under.delivered, sent: floodPairs.length, ms: sf },
      p99Ratio: Math.round(sf.p99 / si.p99 * 100) / 100,
      samples: { idleMs: idle.ms.map(Math.round), floodMs: under.ms.map(Math.round) }
    }
  } finally {
    progress.update('stopping', 0, 1)
    await mesh.stop()
  }
}

/** Summary rows and report sections for a flood run. */
export function floodView (r: FloodResult): { head: string[], rows: string[][], sections: ReportSection[] } {
  const head = ['phase', 'delivered', 'p50 ms', 'p99 ms']
  const rows = [
    ['idle', `${r.idle.delivered}/${r.idle.sent}`, String(r.idle.ms.p50), String(r.idle.ms.p99)],
    ['one node floods', `${r.underFlood.delivered}/${r.underFlood.sent}`, String(r.underFlood.ms.p50), String(r.underFlood.ms.p99)],
    ['p99 ratio', '', '', String(r.p99Ratio)],
    ['flooder', `${r.flood.delivered}/${r.flood.sent}`, `${r.flood.perSecond}/s`, JSON.stringify(r.flood.outcomes)]
  ]
  return {
    head, rows,
    sections: [
      { title: 'Flood: the others\' service', table: { head, rows } },
      { title: 'Latency', charts: [latencyHistogram('probe latency, idle (ms)', r.samples.idleMs), latencyHistogram('probe latency while one node floods (ms)', r.samples.floodMs)] }
    ]
  }
}
