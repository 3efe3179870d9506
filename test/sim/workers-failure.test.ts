import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { settleWaitMs } from '../../sim/mesh.js'
import { Progress } from '../../sim/progress.js'
import { runWorkers, SimWorkerError } from '../../sim/workers.js'
import { isRunning, requireBuiltWorker, smallRun, waitGone } from './helpers.js'

/** Starts `npm run sim`'s compiled CLI with `args`; resolves the worker pids once it has printed them. */
function startCli (args: string[]): { pid: number, workers: Promise<number[]>, exit: Promise<{ code: number | null, signal: string | null, stderr: string }> } {
  const out = mkdtempSync(join(tmpdir(), 'am-sim-workers-'))
  const child = spawn(process.execPath, ['--expose-gc', 'dist/sim/cli.js', ...args, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  let found: (pids: number[]) => void = () => {}
  const workers = new Promise<number[]>((resolve) => { found = resolve })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk
    const m = /workers: (.*)/.exec(stderr)
    if (m != null && /sim: start/.test(stderr)) found([...(m[1] ?? '').matchAll(/pid (\d+)/g)].map((x) => Number(x[1])))
  })
  const exit = new Promise<{ code: number | null, signal: string | null, stderr: string }>((resolve) => {
    child.on('exit', (code, signal) => { rmSync(out, { recursive: true, force: true }); resolve({ code, signal, stderr }) })
  })
  return { pid: child.pid as number, workers, exit }
}

/** Prints nothing; remembers each phase the coordinator reported, and when (ms since it was made). */
class PhaseLog extends Progress {
  readonly seen: string[] = []
  private readonly t0 = performance.now()
  constructor () { super(true) }
  override update (phase: string, done: number, total: number): void {
    const entry = `${phase} ${done}/${total} at ${Math.round(performance.now() - this.t0)} ms`
    if (this.seen.at(-1)?.startsWith(`${phase} `) === true) this.seen[this.seen.length - 1] = entry
    else this.seen.push(entry)
  }
}

describe('sim workers: failures leave no process behind', () => {
  it('a worker that dies fails the run, named with why, and the other worker is killed', async () => {
    requireBuiltWorker()
    let pids: number[] = []
    const phases = new PhaseLog()
    const run = runWorkers(smallRun('scale', { nodes: 8, workers: 2 }), phases, {
      onSpawn: (p) => { pids = p; setTimeout(() => { process.kill(p[1] as number, 'SIGKILL') }, 2_000) }
    })
    // Should the run not end, say where the coordinator was (a CI run once hung here until the test timed out).
    let timer: ReturnType<typeof setTimeout> | undefined
    const hung = new Promise<Error>((resolve) => { timer = setTimeout(() => { resolve(new Error(`the run did not end within 40 s; phases: ${phases.seen.join(', ')}`)) }, 40_000) })
    const err = await Promise.race([run.then(() => undefined, (e: unknown) => e), hung])
    clearTimeout(timer)
    expect(err).toBeInstanceOf(SimWorkerError)
    expect((err as SimWorkerError).worker).toBe(1)
    expect((err as Error).message).toMatch(new RegExp(`worker 1 \\(pid ${pids[1]}\\) was killed by SIGKILL`))
    expect(pids).toHaveLength(2)
    expect(await waitGone(pids, 5_000)).toEqual([])
  }, 60_000)

  it('a worker that dies while the coordinator waits for the mesh to settle fails the run at once, not after the wait', async () => {
    requireBuiltWorker()
    // The last 'converge' report is the coordinator's last word before it waits for the
    // directory to settle (settleWaitMs: 23 s by default); the worker dies a moment into it.
    let killedAt = 0
    let pids: number[] = []
    const watcher = new class extends PhaseLog {
      override update (phase: string, done: number, total: number): void {
        super.update(phase, done, total)
        if (phase === 'converge' && done >= 0.95 * total && killedAt === 0) {
          killedAt = -1
          setTimeout(() => { killedAt = performance.now(); process.kill(pids[1] as number, 'SIGKILL') }, 500)
        }
      }
    }()
    const options = smallRun('scale', { nodes: 8, workers: 2 })
    const err = await runWorkers(options, watcher, { onSpawn: (p) => { pids = p } }).then(() => undefined, (e: unknown) => e)
    const tookMs = performance.now() - killedAt
    expect(killedAt).toBeGreaterThan(0)
    expect((err as Error).message).toMatch(new RegExp(`worker 1 \\(pid ${pids[1]}\\) was killed by SIGKILL`))
    // Without the pool's signal on its waits, the coordinator noticed only when the wait ended.
    expect(tookMs).toBeLessThan(settleWaitMs(options) / 2)
    expect(await waitGone(pids, 5_000)).toEqual([])
  }, 60_000)

  it('SIGINT to the coordinator kills its workers and exits non-zero', async () => {
    requireBuiltWorker()
    const cli = startCli(['scale', '--workers', '2', '--nodes', '8'])
    const pids = await cli.workers
    expect(pids).toHaveLength(2)
    expect(pids.every(isRunning)).toBe(true)
    process.kill(cli.pid, 'SIGINT')
    const { code, stderr } = await cli.exit
    expect(code).toBe(1)
    expect(stderr).toMatch(/sim failed: interrupted by SIGINT/)
    expect(await waitGone(pids, 5_000)).toEqual([])
  }, 60_000)

  it('a coordinator that crashes (SIGKILL: no handler runs) leaves no worker: they exit when the IPC channel closes', async () => {
    requireBuiltWorker()
    const cli = startCli(['scale', '--workers', '2', '--nodes', '8'])
    const pids = await cli.workers
    process.kill(cli.pid, 'SIGKILL')
    const { signal } = await cli.exit
    expect(signal).toBe('SIGKILL')
    expect(await waitGone(pids, 10_000)).toEqual([])
  }, 60_000)
})
