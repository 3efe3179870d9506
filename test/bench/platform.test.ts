import { describe, expect, it } from 'vitest'
import { benchPlatform, formatPlatformTable } from './platform.js'

// The platform bench's short mode, so it cannot rot (needs `npm run build`: it starts dist daemons).
describe('platform bench (short)', () => {
  it('measures every section and prints a table', async () => {
    const r = await benchPlatform({ short: true, progress: () => {} })
    for (const section of ['stream', 'crypto', 'dht', 'daemon']) expect(r.figures.some((f) => f.section === section)).toBe(true)
    for (const f of r.figures) expect(Number.isFinite(f.value) && f.value > 0, `${f.section}: ${f.name} = ${f.value}`).toBe(true)
    expect(formatPlatformTable(r)).toContain('| section |')
  }, 60_000)
})
