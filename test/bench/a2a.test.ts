import { describe, expect, it } from 'vitest'
import { benchA2A, formatA2ATable } from './a2a.js'

// The A2A bench in a small version, so it cannot rot (it starts dist daemons: needs `npm run build`).
describe('a2a bench (short)', () => {
  it('measures direct and both mesh paths, every call answered, every task executed exactly once', async () => {
    const r = await benchA2A({ requests: 30, warmup: 10, warmTasks: 40, concurrency: [1, 8], windowMs: 250, rounds: 1, progress: () => {} })
    expect(r.paths.map((p) => p.name)).toHaveLength(3)
    for (const p of r.paths) {
      expect(p.latency.count).toBe(30)
      expect(p.latency.errors).toBe(0)
      expect(p.warmLatency?.count).toBe(30)
      expect(p.warmLatency?.errors).toBe(0)
      expect(p.throughput.map((t) => t.concurrency)).toEqual([1, 8])
      for (const t of p.throughput) expect(t.tasks).toBeGreaterThan(0)
    }
    // The mesh paths cost the daemons CPU; the stage histograms cover both sides.
    expect(r.paths[1]!.throughput[1]!.daemonCpuMsPerTask).toBeGreaterThan(0)
    expect(r.stages.some((s) => s.daemon === 'A' && s.stage === 'remote')).toBe(true)
    expect(r.stages.some((s) => s.daemon === 'B' && s.stage === 'deliver')).toBe(true)
    expect(r.setup.agentCalls).toBe(r.setup.clientCalls)
    expect(r.tcpHop.latency.count).toBe(r.tcp.latency.count)
    expect(r.tcpHop.latency.errors).toBe(0)
    expect(formatA2ATable(r)).toContain('added p50')
    expect(formatA2ATable(r)).toMatch(/A's Unix socket, warm \|/)
    expect(formatA2ATable(r)).toContain('server in another process')
    expect(r.paths[1]!.throughput[1]!.machineBusy).toBeGreaterThan(0)
    expect(r.paths[1]!.throughput[1]!.agentCpuMsPerTask).toBeGreaterThan(0)
  }, 120_000)
})
