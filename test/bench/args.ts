// Command-line arguments of the bench entry points (run.ts and each section's
// own file): strict parsing, so a misspelt flag stops with an error instead of
// silently running a ten-minute benchmark with the defaults, and `--help` on each.
import { parseArgs } from 'node:util'

/** One flag: a value (`string`) or a switch (`boolean`). */
export type BenchFlags = Record<string, { type: 'string' | 'boolean' }>

export interface BenchArgs {
  /** Values of the string flags given. */
  strings: Record<string, string | undefined>
  /** Switches given. */
  has: (name: string) => boolean
  /** Arguments that are not flags (run.ts: the section). */
  positionals: string[]
}

/** Thrown for a bad command line; the entry point prints it with the usage and exits 2. */
export class BenchUsageError extends Error {
  readonly code = 'BENCH_USAGE'
}

/** Parses `argv` against `flags`; `help` (also `-h`) is always known. */
export function parseBenchArgs (argv: string[], flags: BenchFlags, allowPositionals = false): BenchArgs & { help: boolean } {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: { ...flags, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals })
  } catch (err) {
    throw new BenchUsageError((err as Error).message)
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
  const strings: Record<string, string | undefined> = {}
  for (const [name, v] of Object.entries(values)) if (typeof v === 'string') strings[name] = v
  return { strings, has: (name) => values[name] === true, positionals: parsed.positionals, help: values.help === true }
}

/**
 * The entry point's options, or the process ends: `--help` prints `usage` and exits 0; a bad
 * command line (from parsing, or thrown as a BenchUsageError by `build`) prints the error and
 * `usage` on stderr and exits 2.
 */
export function benchCli<T> (argv: string[], flags: BenchFlags, usage: string, build: (args: BenchArgs) => T, allowPositionals = false): T {
  const text = usage.endsWith('\n') ? usage : `${usage}\n`
  try {
    const args = parseBenchArgs(argv, flags, allowPositionals)
    if (args.help) {
      process.stdout.write(text)
      process.exit(0)
    }
    return build(args)
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err
    process.stderr.write(`${err.message}\n\n${text}`)
    process.exit(2)
  }
}

/** A number flag's value, or undefined; a value that is not a number is a usage error. */
export function numberFlag (args: BenchArgs, name: string): number | undefined {
  const v = args.strings[name]
  if (v === undefined) return undefined
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n)) throw new BenchUsageError(`--${name}: expected a number, got ${JSON.stringify(v)}`)
  return n
}
