import { describe, expect, it } from 'vitest'
import { runChurn } from '../../sim/scenarios/churn.js'
import { runFlood } from '../../sim/scenarios/flood.js'
import { quiet, smallRun } from './helpers.js'

describe('sim flood', () => {
  it('measures the others\' service while one node floods', async () => {
    const r = await runFlood(smallRun('flood', { nodes: 10, tasks: 10, seed: 5 }), quiet)
    expect(r.idle.delivered).toBe(r.idle.sent)
    expect(r.flood.sent).toBeGreaterThan(r.underFlood.sent)
    expect(r.underFlood.delivered).toBeGreaterThanOrEqual(Math.floor(r.underFlood.sent * 0.8))
    expect(Number.isFinite(r.p99Ratio)).toBe(true)
  }, 120_000)
})

describe('sim churn', () => {
  it('keeps delivering while nodes leave and join', async () => {
    const r = await runChurn(smallRun('churn', { nodes: 12, churn: 2, durationMs: 10_000, tasks: 8, seed: 9 }), quiet)
    expect(r.windows.length).toBeGreaterThanOrEqual(2)
    expect(r.totals.left).toBeGreaterThan(0)
    expect(r.totals.joined).toBeGreaterThan(0)
    expect(r.totals.delivered / r.totals.tasks).toBeGreaterThanOrEqual(0.5)
  }, 120_000)
})
