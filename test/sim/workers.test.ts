import { describe, expect, it } from 'vitest'
import { runScale } from '../../sim/scenarios/scale.js'
import { runWorkers } from '../../sim/workers.js'
import { quiet, requireBuiltWorker, smallRun } from './helpers.js'

/** The structure of a value: object keys (sorted) and the type of every leaf; arrays, and the maps keyed by code, as such. */
function shape (x: unknown, key = ''): unknown {
  if (Array.isArray(x)) return 'array'
  if (key === 'failures' || key === 'refusals') return 'record'
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.keys(x).sort().map((k) => [k, shape((x as Record<string, unknown>)[k], k)]))
  return typeof x
}

describe('sim scale over worker processes (--workers 2)', () => {
  it('runs 16 nodes in two processes over TCP: findPeer, agent lookups and tasks cross between them; the result has the one-process shape', async () => {
    requireBuiltWorker()
    const options = { nodes: 16, lookups: 12, tasks: 12, seed: 3 }
    // A small one-process run beside it gives the shape to compare with (its nodes live in this process, the others in two workers).
    const [spread, one] = await Promise.all([
      runWorkers(smallRun('scale', { ...options, workers: 2 }), quiet),
      runScale(smallRun('scale', { nodes: 6, kBucketSize: 4, lookups: 2, tasks: 2, seed: 3 }), quiet)
    ])
    const { workers, ...rest } = spread
    expect(shape(rest)).toEqual(shape(one))
    expect(workers?.count).toBe(2)
    expect(workers?.perWorker.map((w) => w.nodes)).toEqual([8, 8])
    expect(new Set(workers?.perWorker.map((w) => w.pid)).size).toBe(2)
    expect(spread.converge.converged).toBe(true)
    expect(spread.converge.tableSize.n).toBe(16)
    expect(spread.findPeer.success).toBeGreaterThanOrEqual(0.9)
    expect(spread.tasks.deliveryRate).toBeGreaterThanOrEqual(0.8)
    // Work really crossed processes (node i runs in worker i mod 2), and arrived.
    const cross = workers?.crossWorker
    expect(cross?.findPeer.sent).toBeGreaterThanOrEqual(3)
    expect(cross?.findPeer.ok).toBeGreaterThanOrEqual(cross?.findPeer.sent ?? Infinity)
    expect(cross?.tasks.sent).toBeGreaterThanOrEqual(3)
    expect(cross?.tasks.delivered).toBeGreaterThanOrEqual(Math.ceil(0.8 * (cross?.tasks.sent ?? Infinity)))
    // --worker-local memory (the default): nodes of one worker connect over the memory transport,
    // nodes of different workers over TCP. TCP within a worker only as a dial's fallback (measured at
    // 500 nodes under load: 8-10 of ~10,000 ends per worker), never as the rule.
    for (const w of workers?.perWorker ?? []) {
      expect(w.connectionEnds.memory).toBeGreaterThan(0)
      expect(w.connectionEnds.tcpRemote).toBeGreaterThan(0)
      expect(w.connectionEnds.tcpLocal).toBeLessThanOrEqual(Math.floor(w.connectionEnds.memory / 10))
    }
    expect(spread.memoryPerNodeMb.rss).toBeGreaterThan(0)
    expect(Object.keys(spread.phaseMs)).toEqual(['start', 'converge', 'settle', 'findPeer', 'agentLookup', 'tasks'])
  }, 120_000)
})
