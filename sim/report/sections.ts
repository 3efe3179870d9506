import type { CompromiseRun } from '../scenarios/compromise.js'
import type { ScaleResult } from '../scenarios/scale.js'
import { groupedBars, latencyHistogram, lines } from './charts.js'
import type { ReportSection } from './html.js'

/** The published resilience figures the compromise table is shown beside (performance drop under faulty agents). */
export const HUANG_ET_AL = {
  source: 'Huang et al., "On the Resilience of Multi-Agent Systems with Malicious Agents", arXiv 2408.00989',
  v1: { hierarchical: 0.236, flat: 0.464, linear: 0.498 },
  icml2025: { hierarchical: 0.055, flat: 0.105, linear: 0.237 }
} as const

const pct = (x: number): string => Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '–'
const ms = (x: number): string => Number.isFinite(x) ? `${Math.round(x)}` : '–'

/** Summary rows and report sections for a scale run. */
export function scaleView (r: ScaleResult): { head: string[], rows: string[][], sections: ReportSection[] } {
  const head = ['metric', 'p50', 'p95', 'p99', 'success']
  const rows = [
    ['findPeer (ms)', ms(r.findPeer.ms.p50), ms(r.findPeer.ms.p95), ms(r.findPeer.ms.p99), pct(r.findPeer.success)],
    ['findPeer hops', String(r.findPeer.hops.p50), String(r.findPeer.hops.p95), String(r.findPeer.hops.p99), ''],
    ['agent lookup (ms)', ms(r.agentLookup.ms.p50), ms(r.agentLookup.ms.p95), ms(r.agentLookup.ms.p99), pct(r.agentLookup.success)],
    ['task by name (ms)', ms(r.tasks.ms.p50), ms(r.tasks.ms.p95), ms(r.tasks.ms.p99), pct(r.tasks.deliveryRate)],
    ['converge (ms)', ms(r.converge.ms), '', '', r.converge.converged ? 'yes' : 'no'],
    ['memory/node (MB RSS)', String(r.memoryPerNodeMb.rss), '', '', ''],
    ['start/node (ms)', String(r.startPerNodeMs), '', '', '']
  ]
  return {
    head, rows,
    sections: [
      { title: 'Scale', table: { head, rows }, notes: [`Task failures: ${JSON.stringify(r.tasks.failures)}`] },
      { title: 'Latency distributions', charts: [latencyHistogram('findPeer latency (ms)', r.samples.findPeerMs), latencyHistogram('agent lookup latency (ms)', r.samples.agentLookupMs), latencyHistogram('task latency, by name (ms)', r.samples.taskMs)] }
    ]
  }
}

/** Summary rows and report sections for compromise runs. */
export function compromiseView (runs: CompromiseRun[]): { head: string[], rows: string[][], sections: ReportSection[] } {
  const head = ['topology', 'enforcement', 'compromise rate', 'chain length', 'blast radius', 'containment (ms)', 'replays ok', 'forgeries ok', 'denied-edge deliveries']
  const rows = runs.map((r) => [r.topology, r.enforcement ? 'on' : 'off', pct(r.compromiseRate), String(r.chainLength), pct(r.blastRadius), ms(r.timeToContainmentMs), String(r.invariants.replaysAccepted), String(r.invariants.forgeriesAccepted), String(r.invariants.deniedEdgeDeliveries)])
  const vectorHead = ['topology', 'enforcement', 'vector', 'attempted', 'accepted', 'refused (code: n)']
  const vectorRows = runs.flatMap((r) => Object.entries(r.vectors).map(([v, t]) => [r.topology, r.enforcement ? 'on' : 'off', v, t.attempted, t.accepted, Object.entries(t.refused).map(([c, k]) => `${c}: ${k}`).join(', ')]))
  const huangHead = ['topology', 'Huang v1: perf. drop', 'Huang ICML 2025: perf. drop', 'sim analogue: compromise rate, enforcement off', 'enforcement on']
  const huangRows = (['hierarchical', 'flat', 'linear'] as const).map((t) => {
    const off = runs.find((r) => r.topology === t && !r.enforcement)
    const on = runs.find((r) => r.topology === t && r.enforcement)
    return [t, pct(HUANG_ET_AL.v1[t]), pct(HUANG_ET_AL.icml2025[t]), off != null ? pct(off.compromiseRate) : 'not run', on != null ? pct(on.compromiseRate) : 'not run']
  })
  return {
    head, rows,
    sections: [
      { title: 'Compromise: topology × enforcement', table: { head, rows } },
      {
        title: 'Beside Huang et al. (an analogue, not a replication)',
        table: { head: huangHead, rows: huangRows },
        notes: [
          `${HUANG_ET_AL.source}. They measure the drop in task performance when some agents are faulty or malicious; the sim measures the share of honest agents that received an attacker-controlled task when scripted agents obey every instruction. Only the ordering of the topologies is comparable.`
        ]
      },
      { title: 'Attack vectors', table: { head: vectorHead, rows: vectorRows } },
      {
        title: 'Charts',
        charts: [
          groupedBars('compromise rate', runs.map((r) => ({ group: r.topology, series: r.enforcement ? 'on' : 'off', value: r.compromiseRate })), 'share of honest agents'),
          groupedBars('attack chain length', runs.map((r) => ({ group: r.topology, series: r.enforcement ? 'on' : 'off', value: r.chainLength })), 'hops'),
          lines('victims over time', runs.flatMap((r) => [{ x: 0, y: 0, series: `${r.topology}/${r.enforcement ? 'on' : 'off'}` }, ...r.timeline.map((p) => ({ x: p.ms, y: p.victims, series: `${r.topology}/${r.enforcement ? 'on' : 'off'}` }))]), 'ms since the attack began', 'victims')
        ]
      }
    ]
  }
}
