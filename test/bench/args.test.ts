// The bench entry points' command lines: `--help` on each, and a misspelt flag
// stops with an error (exit 2) instead of running a long benchmark with defaults.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BenchUsageError, numberFlag, parseBenchArgs } from './args.js'

const DIST = join(import.meta.dirname, '..', '..', 'dist', 'test', 'bench')

/** Runs a compiled entry point (npm test builds first); a bench that started would time out here. */
function run (file: string, ...args: string[]): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [join(DIST, file), ...args], { encoding: 'utf8', timeout: 20_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('parseBenchArgs', () => {
  const flags = { rounds: { type: 'string' }, short: { type: 'boolean' } } as const

  it('reads values, switches and positionals', () => {
    const a = parseBenchArgs(['a2a', '--rounds', '3', '--short'], flags, true)
    expect(a.strings.rounds).toBe('3')
    expect(a.has('short')).toBe(true)
    expect(a.positionals).toEqual(['a2a'])
    expect(a.help).toBe(false)
  })

  it('rejects an unknown flag, a missing value and a stray positional', () => {
    expect(() => parseBenchArgs(['--round', '3'], flags)).toThrow(BenchUsageError)
    expect(() => parseBenchArgs(['--rounds'], flags)).toThrow(/argument missing/)
    expect(() => parseBenchArgs(['a2a'], flags)).toThrow(BenchUsageError)
  })

  it('rejects a number flag that is not a number', () => {
    expect(numberFlag(parseBenchArgs(['--rounds', '7'], flags), 'rounds')).toBe(7)
    expect(numberFlag(parseBenchArgs([], flags), 'rounds')).toBeUndefined()
    expect(() => numberFlag(parseBenchArgs(['--rounds', 'many'], flags), 'rounds')).toThrow(/--rounds: expected a number, got "many"/)
  })
})

describe('bench entry points', () => {
  for (const file of ['run.js', 'a2a.js', 'crypto.js', 'platform.js', 'telemetry.js']) {
    it(`${file} --help prints its usage and runs nothing`, () => {
      const r = run(file, '--help')
      expect(r.status).toBe(0)
      expect(r.stdout).toMatch(/^usage: /)
      expect(r.stderr).toBe('')
    })

    it(`${file} refuses a misspelt flag with exit 2`, () => {
      const r = run(file, '--shrot')
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(/Unknown option '--shrot'/)
      expect(r.stderr).toMatch(/usage: /)
    })
  }

  it('run.js refuses an unknown section and a bad option value', () => {
    expect(run('run.js', 'sloth').stderr).toMatch(/unknown bench section "sloth"; one of: crypto, a2a, platform, telemetry/)
    const t = run('telemetry.js', '--on', 'everything')
    expect(t.status).toBe(2)
    expect(t.stderr).toMatch(/--on: expected all, tracing, metrics or none/)
    const p = run('platform.js', '--only', 'dht,disk')
    expect(p.status).toBe(2)
    expect(p.stderr).toMatch(/--only: unknown part disk/)
  })
})
