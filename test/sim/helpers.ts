import { DEFAULT_SIM_OPTIONS, type Scenario, type SimOptions } from '../../sim/options.js'
import { Progress } from '../../sim/progress.js'

/** Options for a small sim run in a test. */
export function smallRun (scenario: Scenario, overrides: Partial<SimOptions> = {}): SimOptions {
  return { ...DEFAULT_SIM_OPTIONS, scenario, quiet: true, out: '/tmp', ...overrides }
}

/** A progress reporter that prints nothing. */
export const quiet = new Progress(true)
