import { describe, expect, it } from 'vitest'
import { runScale } from '../../sim/scenarios/scale.js'
import { quiet, smallRun } from './helpers.js'

describe('sim scale', () => {
  it('brings up a small closed mesh, converges, finds peers and agents and delivers tasks by name (libp2p\'s loggers on, as in the daemon)', async () => {
    const r = await runScale(smallRun('scale', { nodes: 20, lookups: 10, tasks: 10, seed: 3, libp2pLog: true, requeryAfterSettle: true }), quiet)
    expect(r.converge.converged).toBe(true)
    expect(r.findPeer.success).toBeGreaterThanOrEqual(0.9)
    expect(r.agentLookup.success).toBeGreaterThanOrEqual(0.8)
    expect(r.tasks.deliveryRate).toBeGreaterThanOrEqual(0.9)
    expect(r.memoryPerNodeMb.rss).toBeGreaterThan(0)
    // --requery on: every node walked to its own ID once more after the settle and
    // ended on its closest peers (a 20-node mesh: some, never none).
    expect(r.selfQuery?.closest.n).toBe(20)
    expect(r.selfQuery?.closest.p50).toBeGreaterThan(0)
  }, 120_000)

  it('runs the same mesh over plaintext connections with libp2p\'s loggers off (hello, certificates, signatures and policy still checked)', async () => {
    const r = await runScale(smallRun('scale', { nodes: 12, lookups: 6, tasks: 6, seed: 4, encryption: 'plaintext', libp2pLog: false }), quiet)
    expect(r.selfQuery).toBeNull()
    expect(r.converge.converged).toBe(true)
    expect(r.findPeer.success).toBeGreaterThanOrEqual(0.8)
    expect(r.tasks.deliveryRate).toBeGreaterThanOrEqual(0.8)
  }, 120_000)
})
