import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runCompromiseOnce } from '../../sim/scenarios/compromise.js'
import { DEFAULT_SIM_OPTIONS, type Scenario, type SimOptions } from '../../sim/options.js'
import { Progress } from '../../sim/progress.js'

/** Options for a small sim run in a test. */
export function smallRun (scenario: Scenario, overrides: Partial<SimOptions> = {}): SimOptions {
  return { ...DEFAULT_SIM_OPTIONS, scenario, quiet: true, out: '/tmp', ...overrides }
}

/** A progress reporter that prints nothing. */
export const quiet = new Progress(true)

/**
 * A small compromise run on the real daemon code: 20 daemons in `topology`, 2 of them compromised
 * (the attacker holds their keys and agents; the scripted agents obey any instruction), with
 * enforcement on and off. One file per topology, so that they run in parallel.
 */
export function describeCompromise (topology: 'hierarchical' | 'linear' | 'flat'): void {
  describe(`sim compromise: ${topology}`, () => {
    const options = smallRun('compromise', { nodes: 20, compromised: 0.1, fanout: 3, seed: 7 })

    it('with enforcement on, nothing crosses a denied edge, no replay or forgery lands, the chain is at most 1 hop', async () => {
      const run = await runCompromiseOnce(options, topology, true, quiet)
      // The attack really was tried, by every path that needs no luck.
      expect(run.vectors['outside-hierarchy'].attempted).toBeGreaterThan(0)
      expect(run.vectors['forged-sender'].attempted).toBeGreaterThan(0)
      expect(run.vectors['forged-chain'].attempted).toBeGreaterThan(0)
      expect(run.vectors.replay.attempted).toBeGreaterThan(0)
      expect(run.invariants.deniedEdgeDeliveries).toBe(0)
      expect(run.invariants.replaysAccepted).toBe(0)
      expect(run.invariants.forgeriesAccepted).toBe(0)
      expect(run.vectors['outside-hierarchy'].accepted).toBe(0)
      expect(run.chainLength).toBeLessThanOrEqual(1)
      // Legitimate work still flows down the hierarchy.
      expect(run.legitWork.delivered).toBeGreaterThan(0)
    }, 120_000)

    it('with enforcement off, the attacker spreads (so the measurement can fail)', async () => {
      const run = await runCompromiseOnce(options, topology, false, quiet)
      expect(run.victims).toBeGreaterThan(0)
      expect(run.compromiseRate).toBeGreaterThan(0)
      expect(run.chainLength).toBeGreaterThanOrEqual(1)
      expect(run.invariants.forgeriesAccepted).toBeGreaterThan(0)
      // The replay window is not part of "enforcement": it is always on.
      expect(run.invariants.replaysAccepted).toBe(0)
    }, 120_000)
  })
}

/**
 * Runs over worker processes fork the compiled worker (dist/sim/worker.js): fails with a clear
 * message when it is missing or older than a source it is built from (npm test builds first).
 */
export function requireBuiltWorker (): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
  const built = join(root, 'dist', 'sim', 'worker.js')
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build`)
  const newest = (dir: string): number => Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => {
    const p = join(dir, e.name)
    return e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0
  }))
  const source = Math.max(newest(join(root, 'sim')), newest(join(root, 'src')))
  if (statSync(built).mtimeMs < source) throw new Error(`${built} is older than the sources: run npm run build`)
}

/** Whether process `pid` is still running (a zombie, dead but not yet reaped, is not). */
export function isRunning (pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Waits until none of `pids` runs, or `ms` have passed; returns those still running. */
export async function waitGone (pids: readonly number[], ms: number): Promise<number[]> {
  const until = Date.now() + ms
  for (;;) {
    const left = pids.filter(isRunning)
    if (left.length === 0 || Date.now() > until) return left
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
