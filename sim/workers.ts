import type { SimOptions } from './options.js'
import type { Progress } from './progress.js'
import type { ScaleResult } from './scenarios/scale.js'

/** A run spread over worker processes; see sim/README.md for its state. */
export async function runWorkers (o: SimOptions, _progress: Progress): Promise<ScaleResult> {
  throw new Error(`--workers ${o.workers}: spreading a run over worker processes is not built yet (see sim/README.md, "What is missing"); run with --workers 1`)
}
