import { describe, expect, it } from 'vitest'
import { StageClock } from '../../../src/relay/stage-clock.js'

describe('StageClock', () => {
  it('records each stage as the time since the previous mark, in order', async () => {
    const seen: Array<[string, number]> = []
    const clock = new StageClock((stage, seconds) => { seen.push([stage, seconds]) })
    await new Promise((resolve) => setTimeout(resolve, 20))
    clock.mark('seal')
    clock.mark('send')
    expect(seen.map(([s]) => s)).toEqual(['seal', 'send'])
    expect(seen[0]![1]).toBeGreaterThanOrEqual(0.015)
    expect(seen[1]![1]).toBeLessThan(0.015)
  })

  it('skip() restarts the clock without recording', async () => {
    const seen: number[] = []
    const clock = new StageClock((_stage, seconds) => { seen.push(seconds) })
    await new Promise((resolve) => setTimeout(resolve, 20))
    clock.skip()
    clock.mark('send')
    expect(seen).toHaveLength(1)
    expect(seen[0]).toBeLessThan(0.015)
  })
})
