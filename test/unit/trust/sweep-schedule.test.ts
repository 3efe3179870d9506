import { describe, expect, it } from 'vitest'
import { SweepSchedule } from '../../../src/trust/sweep-schedule.js'

const cert = (notBeforeMs: number, notAfterMs: number): { notBeforeMs: number, notAfterMs: number } => ({ notBeforeMs, notAfterMs })

describe('SweepSchedule: when the periodic certificate sweep must look again', () => {
  it('is due at first, then not until the earliest certificate expires', () => {
    const s = new SweepSchedule()
    expect(s.due(1_000, 0)).toBe(true)
    s.swept(0, [cert(0, 10_000), cert(500, 5_000)])
    expect(s.due(1_000, 0)).toBe(false)
    expect(s.due(5_000, 0)).toBe(false)
    // One millisecond past the earliest notAfter: that certificate no longer verifies (checkCertificate: now > notAfter).
    expect(s.due(5_001, 0)).toBe(true)
  })

  it('is due as soon as the store changes (a revocation list, the trusted authorities)', () => {
    const s = new SweepSchedule()
    s.swept(3, [cert(0, 10_000)])
    expect(s.due(1_000, 3)).toBe(false)
    expect(s.due(1_000, 4)).toBe(true)
  })

  it('is due when the clock goes back before the latest notBefore', () => {
    const s = new SweepSchedule()
    s.swept(0, [cert(2_000, 10_000)])
    expect(s.due(2_000, 0)).toBe(false)
    expect(s.due(1_999, 0)).toBe(true)
  })

  it('a certificate verified after the sweep brings its own window in', () => {
    const s = new SweepSchedule()
    s.swept(0, [cert(0, 10_000)])
    s.add(cert(100, 3_000))
    expect(s.due(3_000, 0)).toBe(false)
    expect(s.due(3_001, 0)).toBe(true)
  })

  it('with nothing verified, only a store change makes it due', () => {
    const s = new SweepSchedule()
    s.swept(0, [])
    expect(s.due(Number.MAX_SAFE_INTEGER, 0)).toBe(false)
    expect(s.due(0, 1)).toBe(true)
  })
})
