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
  it.each([['tunnel'], ['tcp']] as const)('runs 16 nodes in two processes (--between-workers %s): findPeer, agent lookups and tasks cross between them; the result has the one-process shape', async (betweenWorkers) => {
    requireBuiltWorker()
    const options = { nodes: 16, lookups: 12, tasks: 12, seed: 3, requeryAfterSettle: true }
    // A small one-process run beside it gives the shape to compare with (its nodes live in this process, the others in two workers).
    const [spread, one] = await Promise.all([
      runWorkers(smallRun('scale', { ...options, workers: 2, betweenWorkers }), quiet),
      runScale(smallRun('scale', { nodes: 6, kBucketSize: 4, lookups: 2, tasks: 2, seed: 3, requeryAfterSettle: true }), quiet)
    ])
    const { workers, ...rest } = spread
    expect(shape(rest)).toEqual(shape(one))
    expect(workers?.count).toBe(2)
    expect(workers?.perWorker.map((w) => w.nodes)).toEqual([8, 8])
    expect(new Set(workers?.perWorker.map((w) => w.pid)).size).toBe(2)
    expect(spread.converge.converged).toBe(true)
    expect(spread.converge.tableSize.n).toBe(16)
    // The second self-query ran on every node, in its own worker.
    expect(spread.selfQuery?.closest.n).toBe(16)
    expect(spread.selfQuery?.closest.p50).toBeGreaterThan(0)
    expect(spread.findPeer.success).toBeGreaterThanOrEqual(0.9)
    expect(spread.tasks.deliveryRate).toBeGreaterThanOrEqual(0.8)
    // Work really crossed processes (node i runs in worker i mod 2), and arrived.
    const cross = workers?.crossWorker
    expect(cross?.findPeer.sent).toBeGreaterThanOrEqual(3)
    expect(cross?.findPeer.ok).toBeGreaterThanOrEqual(cross?.findPeer.sent ?? Infinity)
    expect(cross?.tasks.sent).toBeGreaterThanOrEqual(3)
    expect(cross?.tasks.delivered).toBeGreaterThanOrEqual(Math.ceil(0.8 * (cross?.tasks.sent ?? Infinity)))
    for (const w of workers?.perWorker ?? []) {
      if (betweenWorkers === 'tunnel') {
        // One socket between the two workers carries every connection between their nodes; none is a socket of its own.
        expect(w.connectionEnds.tunnelLocal).toBeGreaterThan(0)
        expect(w.connectionEnds.tunnelRemote).toBeGreaterThan(0)
        expect(w.connectionEnds.memory + w.connectionEnds.tcpLocal + w.connectionEnds.tcpRemote).toBe(0)
      } else {
        // --worker-local memory (the default): nodes of one worker connect over the memory transport,
        // nodes of different workers over TCP. TCP within a worker only as a dial's fallback (measured at
        // 500 nodes under load: 8-10 of ~10,000 ends per worker), never as the rule.
        expect(w.connectionEnds.memory).toBeGreaterThan(0)
        expect(w.connectionEnds.tcpRemote).toBeGreaterThan(0)
        expect(w.connectionEnds.tcpLocal).toBeLessThanOrEqual(Math.floor(w.connectionEnds.memory / 10))
        expect(w.connectionEnds.tunnelLocal + w.connectionEnds.tunnelRemote).toBe(0)
      }
    }
    // Each TCP connection end is a descriptor; over the tunnel a worker holds one socket per other worker.
    const fds = (workers?.perWorker ?? []).map((w) => w.openFds)
    if (betweenWorkers === 'tunnel') for (const f of fds) expect(f).toBeLessThan(60)
    else for (const [k, w] of (workers?.perWorker ?? []).entries()) expect(fds[k]).toBeGreaterThanOrEqual(w.connectionEnds.tcpRemote)
    expect(spread.memoryPerNodeMb.rss).toBeGreaterThan(0)
    expect(Object.keys(spread.phaseMs)).toEqual(['start', 'converge', 'settle', 'findPeer', 'agentLookup', 'tasks'])
  }, 120_000)
})
