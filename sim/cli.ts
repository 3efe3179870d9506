// First: sets what libp2p's modules read from the environment when they load.
import './process-env.js'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseSimArgs, SIM_USAGE, SimUsageError, type SimOptions } from './options.js'
import { Progress } from './progress.js'
import { renderHtml, textTable, type ReportSection } from './report/html.js'
import { compromiseView, scaleView } from './report/sections.js'
import { runCompromise } from './scenarios/compromise.js'
import { runScale, settingsOf } from './scenarios/scale.js'
import { runChurn, churnView } from './scenarios/churn.js'
import { runFlood, floodView } from './scenarios/flood.js'
import { runWorkers, SimWorkerError } from './workers.js'
import { heapLimitMb } from './memory-guard.js'
import { respawned, respawnWith } from './respawn.js'

/** What one scenario hands the writer. */
interface Outcome { result: unknown, head: string[], rows: string[][], sections: ReportSection[], footer?: string[] }

async function runScenario (o: SimOptions, progress: Progress): Promise<Outcome> {
  switch (o.scenario) {
    case 'scale': {
      const r = o.workers > 1 || o.listenWorkers != null ? await runWorkers(o, progress) : await runScale(o, progress)
      return { result: r, ...scaleView(r) }
    }
    case 'compromise': {
      const runs = await runCompromise(o, progress)
      return { result: runs, ...compromiseView(runs) }
    }
    case 'churn': {
      const r = await runChurn(o, progress)
      return { result: r, ...churnView(r) }
    }
    case 'flood': {
      const r = await runFlood(o, progress)
      return { result: r, ...floodView(r) }
    }
  }
}

/** `npm run sim -- SCENARIO [options]`: runs, writes JSON + HTML to --out, prints a summary; the JSON path is the last line. */
export async function main (argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${SIM_USAGE}\n`)
    return 0
  }
  let o: SimOptions
  try {
    o = parseSimArgs(argv)
  } catch (err) {
    if (err instanceof SimUsageError) {
      process.stderr.write(`${err.message}\n${SIM_USAGE}\n`)
      return 2
    }
    throw err
  }
  const progress = new Progress(o.quiet)
  const started = new Date()
  const t0 = performance.now()
  const outcome = await runScenario(o, progress)
  progress.done()
  const json = {
    scenario: o.scenario,
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    options: o,
    settings: settingsOf(o),
    machine: { node: process.version, cpus: (await import('node:os')).cpus().length, totalMemGb: Math.round((await import('node:os')).totalmem() / 1e9) },
    result: outcome.result
  }
  const dir = resolve(o.out)
  mkdirSync(dir, { recursive: true })
  const stem = `${o.scenario}-n${o.nodes}-s${o.seed}-${started.toISOString().replace(/[:.]/g, '-')}`
  const jsonPath = join(dir, `${stem}.json`)
  writeFileSync(jsonPath, JSON.stringify(json, null, 2) + '\n')
  writeFileSync(join(dir, `${stem}.html`), await renderHtml(`agentmesh sim: ${o.scenario}, ${o.nodes} nodes, seed ${o.seed}`, outcome.sections, json))
  process.stdout.write(`${textTable(outcome.head, outcome.rows)}\n${(outcome.footer ?? []).map((l) => `${l}\n`).join('')}\nsettings: ${JSON.stringify(settingsOf(o))}\nHTML report: ${join(dir, `${stem}.html`)}\n${jsonPath}\n`)
  return 0
}

/**
 * The V8 flags a one-process run needs that this process lacks, or `undefined` when it has them:
 * a heap limit (`--max-old-space-size`) at least 90 % of `--max-rss-mb` (V8's default here is
 * ≈ 4.2 GB, which a few hundred nodes' worth of heap passes: V8's "heap out of memory" would end
 * the run before the memory guard could), `--expose-gc` and `--max-semi-space-size=64` (as
 * `npm run sim` passes them). Runs over workers set their workers' flags themselves.
 */
export function missingV8Flags (argv: string[]): string[] | undefined {
  let o: SimOptions
  try { o = parseSimArgs(argv) } catch { return undefined }
  const flags: string[] = []
  if (o.workers <= 1 && o.listenWorkers == null && heapLimitMb() < 0.9 * o.maxRssMb) flags.push(`--max-old-space-size=${o.maxRssMb}`)
  if (flags.length === 0) return undefined
  if (global.gc == null) flags.push('--expose-gc')
  if (!process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) flags.push('--max-semi-space-size=64')
  return flags
}

if (process.argv[1] != null && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const argv = process.argv.slice(2)
  const flags = respawned() || argv.includes('--help') || argv.includes('-h') ? undefined : missingV8Flags(argv)
  if (flags !== undefined) {
    respawnWith(flags, argv)
  } else {
    run(argv)
  }
}

function run (argv: string[]): void {
  main(argv).then((code) => { process.exit(code) }, (err: unknown) => {
    // A worker's failure is told in its message (which worker, why, its last words); its stack is the coordinator's.
    const text = err instanceof SimWorkerError ? err.message : err instanceof Error ? err.stack ?? err.message : String(err)
    process.stderr.write(`\nsim failed: ${text}\n`)
    process.exit(1)
  })
}
