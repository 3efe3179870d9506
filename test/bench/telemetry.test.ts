import { describe, expect, it } from 'vitest'
import { benchTelemetry, formatTelemetryTable } from './telemetry.js'

// The telemetry bench's short mode, so it cannot rot (needs `npm run build`: it starts dist daemons).
describe('telemetry bench (short)', () => {
  it('measures tasks/s with telemetry off and on, exports spans, scrapes metrics and prints a table', async () => {
    const r = await benchTelemetry({ short: true, progress: () => {} })
    expect(r.figures.length).toBeGreaterThan(0)
    for (const f of r.figures) {
      for (const side of [f.off, f.on]) expect(side.tasks > 0 && Number.isFinite(side.tasksPerSec)).toBe(true)
      expect(Number.isFinite(f.ratio) && f.ratio > 0).toBe(true)
    }
    // The "on" pair against itself: sampled and unsampled windows both ran.
    expect(r.samePair.length).toBe(r.figures.length)
    for (const f of r.samePair) {
      for (const side of [f.unsampled, f.sampled]) expect(side.tasks > 0 && Number.isFinite(side.tasksPerSec)).toBe(true)
      expect(Number.isFinite(f.ratio) && f.ratio > 0).toBe(true)
    }
    expect(r.spansExported).toBeGreaterThan(0)
    expect(r.scrapes).toBeGreaterThan(0)
    expect(r.agentCalls).toBe(r.clientCalls)
    expect(formatTelemetryTable(r)).toContain('| callers |')
    expect(formatTelemetryTable(r)).toContain('sampled / not')
  }, 60_000)
})
