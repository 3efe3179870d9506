import { describe, expect, it } from 'vitest'
import { GUARD_MIN_NODES, overLimit } from '../../sim/memory-guard.js'
import { scaleView } from '../../sim/report/sections.js'
import { runScale } from '../../sim/scenarios/scale.js'
import { runWorkers } from '../../sim/workers.js'
import { quiet, requireBuiltWorker, smallRun } from './helpers.js'

describe('sim scale: the memory guard (--max-rss-mb)', () => {
  it('reads the limits: the run\'s RSS (summed over processes) against --max-rss-mb, each V8 heap against 90 % of its own limit', () => {
    const r = (rssMb: number, heapUsedMb = 10, heapLimitMb = 4000): { rssMb: number, heapUsedMb: number, heapLimitMb: number } => ({ rssMb, heapUsedMb, heapLimitMb })
    expect(overLimit([r(900)], 1000)).toBeUndefined()
    expect(overLimit([r(1000)], 1000)?.kind).toBe('rss')
    expect(overLimit([r(400), r(300), r(300)], 1000)?.reason).toBe('RSS of the 3 processes 1000 MB of limit 1000 MB (--max-rss-mb)')
    expect(overLimit([r(100), r(200, 3700, 4000)], 1000)?.reason).toMatch(/^V8 heap of worker 0 3700 MB of its limit 4000 MB/)
    expect(overLimit([r(100)], 1000, { startedS: 59, maxStartS: 60 })).toBeUndefined()
    expect(overLimit([r(100)], 1000, { startedS: 61, maxStartS: 60 })?.kind).toBe('time')
    expect(overLimit([r(100)], 1000, { startedS: 61, maxStartS: 0 })).toBeUndefined()
  })

  it('stops starting nodes once the limit is crossed, measures the nodes already up, and says where it stopped and why', async () => {
    // 1 MB: crossed from the start; the guard still lets node 0 and the first batch start.
    const r = await runScale(smallRun('scale', { nodes: 30, kBucketSize: 4, lookups: 4, tasks: 4, seed: 5, refreshAfterSettle: false, settleMs: 0, maxRssMb: 1 }), quiet)
    expect(r.nodesStarted).toBe(GUARD_MIN_NODES)
    expect(r.stopped).toMatchObject({ atNodes: GUARD_MIN_NODES, of: 30, kind: 'rss', limitMb: 1 })
    expect(r.stopped?.reason).toMatch(/^RSS \d+ MB of limit 1 MB/)
    expect(r.memoryGuard.maxRssMb).toBe(1)
    expect(r.memoryGuard.peakRssMb).toBeGreaterThan(1)
    // Every figure is over the nodes that started: the mesh among them converged and carried the work.
    expect(r.converge.tableSize.n).toBe(GUARD_MIN_NODES)
    expect(r.converge.converged).toBe(true)
    expect(r.tasks.sent).toBe(4)
    expect(r.tasks.deliveryRate).toBeGreaterThanOrEqual(0.75)
    // The summary table says so.
    const view = scaleView(r)
    expect(view.rows).toContainEqual(['stopped at (nodes)', String(GUARD_MIN_NODES), '', '', 'RSS limit'])
    expect(view.footer[0]).toMatch(/^memory guard: stopped starting nodes at 9 of 30: RSS \d+ MB of limit 1 MB/)
  }, 60_000)

  it('over workers, sums the processes\' RSS and stops the start between steps', async () => {
    requireBuiltWorker()
    const r = await runWorkers(smallRun('scale', { nodes: 40, workers: 2, kBucketSize: 4, lookups: 4, tasks: 4, seed: 5, refreshAfterSettle: false, settleMs: 0, maxRssMb: 1 }), quiet)
    // Steps: node 0, then 16 (8 per worker) at a time; the first check after GUARD_MIN_NODES is at 17.
    expect(r.nodesStarted).toBe(17)
    expect(r.stopped).toMatchObject({ atNodes: 17, of: 40, kind: 'rss' })
    expect(r.stopped?.reason).toMatch(/^RSS of the 3 processes \d+ MB of limit 1 MB/)
    expect(r.workers?.perWorker.map((w) => w.nodes)).toEqual([9, 8])
    expect(r.memoryGuard.heapLimitMb).toHaveLength(3)
    expect(r.tasks.sent).toBe(4)
  }, 60_000)
})
