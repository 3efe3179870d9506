import { sendMessage } from '../agents.js'
import { findPeer, pool } from '../measure.js'
import { SimMesh } from '../mesh.js'
import type { SimOptions } from '../options.js'
import type { Progress } from '../progress.js'
import { lines } from '../report/charts.js'
import type { ReportSection } from '../report/html.js'
import { agentName } from '../topology.js'

/** One window of a churn run. */
export interface ChurnWindow {
  /** Seconds since churn began (end of the window). */
  t: number
  running: number
  left: number
  joined: number
  deliveryRate: number
  lookupSuccess: number
}

export interface ChurnResult {
  windows: ChurnWindow[]
  totals: { left: number, joined: number, tasks: number, delivered: number, lookups: number, found: number }
}

/**
 * Churn: after convergence, every second `churn × N / 60` running nodes stop
 * and as many stopped nodes start again (same key, fresh in-memory state, a
 * new bootstrap). Each window sends tasks (by name: directory lookup) and
 * findPeer lookups between running nodes.
 */
export async function runChurn (o: SimOptions, progress: Progress): Promise<ChurnResult> {
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
    const perSecond = o.churn * n / 60
    let owed = 0
    const windows: ChurnWindow[] = []
    const totals = { left: 0, joined: 0, tasks: 0, delivered: 0, lookups: 0, found: 0 }
    const stopped: number[] = []
    const t0 = performance.now()
    // A fixed number of 5 s windows, so that a slow machine runs the same windows (each takes
    // longer), not fewer: the run's shape depends on the options and the seed only.
    const windowCount = Math.max(1, Math.round(o.durationMs / 5000))
    const perWindow = Math.max(2, Math.round(o.tasks / windowCount))
    for (let w = 0; w < windowCount; w++) {
      let left = 0
      let joined = 0
      // Churn for 5 s, one step a second, while the window's traffic runs.
      const churning = (async () => {
        for (let s = 0; s < 5; s++) {
          owed += perSecond
          const k = Math.floor(owed)
          owed -= k
          const running = [...Array(n).keys()].filter((i) => i !== 0 && mesh.nodes[i] != null)
          const leaving = rng.sample(running, k)
          const joining = rng.sample(stopped, k)
          for (const i of leaving) { const node = mesh.nodes[i]; mesh.nodes[i] = undefined; await node?.stop(); stopped.push(i); left++ }
          for (const i of joining) { stopped.splice(stopped.indexOf(i), 1); await mesh.startNode(i, rng.fork()).catch(() => {}); joined++ }
          await new Promise((resolve) => setTimeout(resolve, 1000))
        }
      })()
      const live = (): number[] => [...Array(n).keys()].filter((i) => mesh.nodes[i] != null)
      const pairs = Array.from({ length: perWindow }, () => rng.sample(live(), 2) as [number, number])
      let delivered = 0
      let found = 0
      await pool(pairs, 4, async ([a, b]) => {
        const src = mesh.nodes[a]
        if (src == null) return
        const r = await src.call('operator', agentName(b), sendMessage('task'), AbortSignal.timeout(20_000))
        if (r.ok) delivered++
        const l = await findPeer(src, mesh.peerIds[b] as string, 10_000)
        if (l.ok) found++
      })
      await churning
      totals.left += left; totals.joined += joined; totals.tasks += pairs.length; totals.delivered += delivered; totals.lookups += pairs.length; totals.found += found
      windows.push({
        t: Math.round((performance.now() - t0) / 1000), running: live().length, left, joined,
        deliveryRate: delivered / pairs.length, lookupSuccess: found / pairs.length
      })
      progress.update('churn', w + 1, windowCount)
    }
    return { windows, totals }
  } finally {
    progress.update('stopping', 0, 1)
    await mesh.stop()
  }
}

/** Summary rows and report sections for a churn run. */
export function churnView (r: ChurnResult): { head: string[], rows: string[][], sections: ReportSection[] } {
  const head = ['t (s)', 'running', 'left', 'joined', 'delivery', 'lookup success']
  const rows = r.windows.map((w) => [String(w.t), String(w.running), String(w.left), String(w.joined), `${Math.round(w.deliveryRate * 100)} %`, `${Math.round(w.lookupSuccess * 100)} %`])
  return {
    head, rows,
    sections: [
      { title: 'Churn', table: { head, rows }, notes: [`totals: ${JSON.stringify(r.totals)}`] },
      { title: 'Over time', charts: [lines('delivery rate and lookup success', r.windows.flatMap((w) => [{ x: w.t, y: w.deliveryRate, series: 'task delivery' }, { x: w.t, y: w.lookupSuccess, series: 'findPeer success' }]), 's', 'share')] }
    ]
  }
}
