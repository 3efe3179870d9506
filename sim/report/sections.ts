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
export function scaleView (r: ScaleResult): { head: string[], rows: string[][], sections: ReportSection[], footer: string[] } {
  const head = ['metric', 'p50', 'p95', 'p99', 'success']
  const rows = [
    ['findPeer (ms)', ms(r.findPeer.ms.p50), ms(r.findPeer.ms.p95), ms(r.findPeer.ms.p99), pct(r.findPeer.success)],
    ['findPeer hops', String(r.findPeer.hops.p50), String(r.findPeer.hops.p95), String(r.findPeer.hops.p99), ''],
    ['agent lookup (ms)', ms(r.agentLookup.ms.p50), ms(r.agentLookup.ms.p95), ms(r.agentLookup.ms.p99), pct(r.agentLookup.success)],
    ['task by name (ms)', ms(r.tasks.ms.p50), ms(r.tasks.ms.p95), ms(r.tasks.ms.p99), pct(r.tasks.deliveryRate)],
    ['converge (ms)', ms(r.converge.ms), '', '', r.converge.converged ? 'yes' : 'no'],
    r.selfQuery != null
      ? ['second self-query (closest found)', String(r.selfQuery.closest.p50), String(r.selfQuery.closest.p95), String(r.selfQuery.closest.p99), `all in ${(r.selfQuery.ms / 1000).toFixed(1)} s`]
      : ['second self-query', '', '', '', 'off (--requery off)'],
    ['memory/node (MB RSS)', String(r.memoryPerNodeMb.rss), '', '', ''],
    ['start/node (ms)', String(r.startPerNodeMs), '', '', ''],
    ['nodes started', String(r.nodesStarted), '', '', r.stopped !== undefined ? `stopped of ${r.stopped.of}` : 'all'],
    ['peak RSS in start (MB)', String(r.memoryGuard.peakRssMb), '', '', `limit ${r.memoryGuard.maxRssMb}`]
  ]
  if (r.stopped !== undefined) rows.push(['stopped at (nodes)', String(r.stopped.atNodes), '', '', { rss: 'RSS limit', heap: 'heap limit', time: 'time limit' }[r.stopped.kind]])
  return {
    head, rows,
    footer: r.stopped !== undefined ? [`memory guard: stopped starting nodes at ${r.stopped.atNodes} of ${r.stopped.of}: ${r.stopped.reason}; every figure is over the ${r.stopped.atNodes} nodes that started`] : [],
    sections: [
      { title: 'Scale', table: { head, rows }, notes: [...(r.stopped !== undefined ? [`The memory guard stopped the start at ${r.stopped.atNodes} of ${r.stopped.of} nodes: ${r.stopped.reason}. Every figure is over the ${r.stopped.atNodes} nodes that started.`] : []), `Task failures: ${JSON.stringify(r.tasks.failures)}`] },
      { title: 'Latency distributions', charts: [latencyHistogram('findPeer latency (ms)', r.samples.findPeerMs), latencyHistogram('agent lookup latency (ms)', r.samples.agentLookupMs), latencyHistogram('task latency, by name (ms)', r.samples.taskMs)] }
    ]
  }
}

/** Mean, standard deviation (population), minimum and maximum of one measure over the seeds of a setting. */
export interface Stats { n: number, mean: number, sd: number, min: number, max: number }

/** Summarises `xs` (NaN everywhere when empty). */
export function stats (xs: readonly number[]): Stats {
  const n = xs.length
  if (n === 0) return { n, mean: Number.NaN, sd: Number.NaN, min: Number.NaN, max: Number.NaN }
  const mean = xs.reduce((a, b) => a + b, 0) / n
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n)
  return { n, mean, sd, min: Math.min(...xs), max: Math.max(...xs) }
}

/** The runs of one setting (topology × enforcement × spread model) over their seeds. */
export interface CompromiseGroup {
  topology: CompromiseRun['topology']
  enforcement: boolean
  spread: CompromiseRun['spread']
  seeds: number[]
  compromiseRate: Stats
  chainLength: Stats
  blastRadius: Stats
  containmentMs: Stats
  /** Spread `work` only: honest work that did not reach the root's answer. */
  workLost: Stats
  /** Spread `work` only: runs whose final answer carried attacker-controlled content, of `seeds.length`. */
  tainted: number
  /** Summed over the seeds; each must be 0 with enforcement on. */
  invariants: CompromiseRun['invariants']
}

/** Groups runs by setting, in the order the settings first appear. */
export function groupCompromise (runs: readonly CompromiseRun[]): CompromiseGroup[] {
  const keys = [...new Set(runs.map((r) => `${r.topology}/${r.enforcement ? 'on' : 'off'}/${r.spread}`))]
  return keys.map((key) => {
    const rs = runs.filter((r) => `${r.topology}/${r.enforcement ? 'on' : 'off'}/${r.spread}` === key)
    const first = rs[0] as CompromiseRun
    const tasks = rs.flatMap((r) => (r.task != null ? [r.task] : []))
    return {
      topology: first.topology,
      enforcement: first.enforcement,
      spread: first.spread,
      seeds: rs.map((r) => r.seed),
      compromiseRate: stats(rs.map((r) => r.compromiseRate)),
      chainLength: stats(rs.map((r) => r.chainLength)),
      blastRadius: stats(rs.map((r) => r.blastRadius)),
      containmentMs: stats(rs.map((r) => r.timeToContainmentMs)),
      workLost: stats(tasks.map((t) => t.lost)),
      tainted: tasks.filter((t) => t.tainted).length,
      invariants: {
        deniedEdgeDeliveries: rs.reduce((a, r) => a + r.invariants.deniedEdgeDeliveries, 0),
        replaysAccepted: rs.reduce((a, r) => a + r.invariants.replaysAccepted, 0),
        forgeriesAccepted: rs.reduce((a, r) => a + r.invariants.forgeriesAccepted, 0)
      }
    }
  })
}

/** A share over seeds: the mean, and with more than one seed ± sd [min–max]. */
const pctStats = (s: Stats): string => s.n === 0 ? '–' : s.n === 1 ? pct(s.mean) : `${pct(s.mean)} ± ${(s.sd * 100).toFixed(1)} [${(s.min * 100).toFixed(0)}–${(s.max * 100).toFixed(0)}]`
const numStats = (s: Stats): string => s.n === 0 ? '–' : s.n === 1 ? String(s.mean) : `${s.mean.toFixed(1)} [${s.min}–${s.max}]`

/** Summary rows and report sections for compromise runs (one row per setting; mean and spread when there are several seeds). */
export function compromiseView (runs: CompromiseRun[]): { head: string[], rows: string[][], sections: ReportSection[] } {
  const groups = groupCompromise(runs)
  const head = ['topology', 'enforcement', 'spread', 'seeds', 'compromise rate', 'chain length', 'blast radius', 'containment (ms)', 'work lost', 'answer tainted', 'replays ok', 'forgeries ok', 'denied-edge deliveries']
  const rows = groups.map((g) => [
    g.topology, g.enforcement ? 'on' : 'off', g.spread, seedRange(g.seeds), pctStats(g.compromiseRate), numStats(g.chainLength), pctStats(g.blastRadius), ms(g.containmentMs.mean),
    pctStats(g.workLost), g.workLost.n === 0 ? '–' : `${g.tainted}/${g.workLost.n}`,
    String(g.invariants.replaysAccepted), String(g.invariants.forgeriesAccepted), String(g.invariants.deniedEdgeDeliveries)
  ])
  const runHead = ['topology', 'enforcement', 'spread', 'seed', 'compromised', 'victims', 'compromise rate', 'chain length', 'blast radius', 'containment (ms)', 'work lost', 'answer tainted', 'legit calls delivered', 'replays ok', 'forgeries ok', 'denied-edge deliveries']
  const runRows = runs.map((r) => [
    r.topology, r.enforcement ? 'on' : 'off', r.spread, r.seed, r.compromisedAgents.map((i) => `a${i}`).join(' '), r.victims, pct(r.compromiseRate), r.chainLength, pct(r.blastRadius), ms(r.timeToContainmentMs),
    r.task != null ? pct(r.task.lost) : '–', r.task != null ? (r.task.tainted ? 'yes' : 'no') : '–', `${r.legitWork.delivered}/${r.legitWork.tasks}`,
    r.invariants.replaysAccepted, r.invariants.forgeriesAccepted, r.invariants.deniedEdgeDeliveries
  ])
  const vectorHead = ['topology', 'enforcement', 'spread', 'seed', 'vector', 'attempted', 'accepted', 'refused (code: n)']
  const vectorRows = runs.flatMap((r) => Object.entries(r.vectors).map(([v, t]) => [r.topology, r.enforcement ? 'on' : 'off', r.spread, r.seed, v, t.attempted, t.accepted, Object.entries(t.refused).map(([c, k]) => `${c}: ${k}`).join(', ')]))
  const huangHead = ['topology', 'Huang v1: perf. drop', 'Huang ICML 2025: perf. drop', 'spread', 'sim: compromise rate, enforcement off', 'on', 'sim: work lost, off', 'on', 'sim: answer tainted, off', 'on']
  const huangRows = groups.filter((g) => !g.enforcement || !groups.some((o) => !o.enforcement && o.topology === g.topology && o.spread === g.spread))
    .map((g) => {
      const off = groups.find((o) => o.topology === g.topology && o.spread === g.spread && !o.enforcement)
      const on = groups.find((o) => o.topology === g.topology && o.spread === g.spread && o.enforcement)
      const tainted = (x: CompromiseGroup | undefined): string => x == null ? 'not run' : x.workLost.n === 0 ? '–' : `${x.tainted}/${x.workLost.n}`
      return [
        g.topology, pct(HUANG_ET_AL.v1[g.topology]), pct(HUANG_ET_AL.icml2025[g.topology]), g.spread,
        off != null ? pctStats(off.compromiseRate) : 'not run', on != null ? pctStats(on.compromiseRate) : 'not run',
        off != null ? pctStats(off.workLost) : 'not run', on != null ? pctStats(on.workLost) : 'not run', tainted(off), tainted(on)
      ]
    })
  const label = (g: { topology: string, enforcement: boolean, spread: string }): string => `${g.enforcement ? 'on' : 'off'}, ${g.spread}`
  return {
    head, rows,
    sections: [
      {
        title: 'Compromise: topology × enforcement',
        table: { head, rows },
        notes: ['With several seeds: mean ± standard deviation [min–max] over the seeds (one fresh mesh per seed, topology and enforcement); chain length: mean [min–max]; invariants: summed over the seeds.']
      },
      {
        title: 'Beside Huang et al. (an analogue, not a replication)',
        table: { head: huangHead, rows: huangRows },
        notes: [
          `${HUANG_ET_AL.source}. They measure the drop in task performance when some agents are faulty or malicious; the sim measures the share of honest agents that received an attacker-controlled task when scripted agents obey every instruction, and (spread "work") the share of honest agents' work missing from the root's final answer and whether that answer carries attacker-controlled content. Only the ordering of the topologies is comparable.`
        ]
      },
      { title: 'Runs', table: { head: runHead, rows: runRows } },
      { title: 'Attack vectors', table: { head: vectorHead, rows: vectorRows } },
      {
        title: 'Charts',
        charts: [
          groupedBars('compromise rate (mean over seeds)', groups.map((g) => ({ group: g.topology, series: label(g), value: g.compromiseRate.mean })), 'share of honest agents'),
          groupedBars('attack chain length (mean over seeds)', groups.map((g) => ({ group: g.topology, series: label(g), value: g.chainLength.mean })), 'hops'),
          ...(groups.some((g) => g.workLost.n > 0) ? [groupedBars('honest work lost (mean over seeds)', groups.filter((g) => g.workLost.n > 0).map((g) => ({ group: g.topology, series: label(g), value: g.workLost.mean })), 'share of honest agents')] : []),
          lines('victims over time', runs.flatMap((r) => {
            const series = `${r.topology}/${r.enforcement ? 'on' : 'off'}${groups.some((g) => g.seeds.length > 1) ? ` s${r.seed}` : ''}`
            return [{ x: 0, y: 0, series }, ...r.timeline.map((p) => ({ x: p.ms, y: p.victims, series }))]
          }), 'ms since the attack began', 'victims')
        ]
      }
    ]
  }
}

/** "1", "1–5", or a list when the seeds are not consecutive. */
function seedRange (seeds: readonly number[]): string {
  const sorted = [...seeds].sort((a, b) => a - b)
  const first = sorted[0]
  const last = sorted[sorted.length - 1]
  if (first === undefined || last === undefined) return ''
  if (first === last) return String(first)
  return last - first + 1 === sorted.length ? `${first}–${last}` : sorted.join(',')
}
