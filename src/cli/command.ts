import { parseArgs, type ParseArgsConfig } from 'node:util'
import { resolveHome } from '../home/index.js'
import { UsageError } from './errors.js'

/** Where a command writes, and what it reads from the environment. */
export interface Io {
  stdout(text: string): void
  stderr(text: string): void
  env: Record<string, string | undefined>
  /** Whether stderr is a terminal (a person watching): human-readable lines go there only then. */
  stderrIsTTY?: boolean
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string, valueName?: string }

/** What a command's `run` gets. */
export interface CommandContext {
  values: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
  home: string
  json: boolean
  io: Io
}

/** One `agentmesh …` command. */
export interface Command {
  /** Words after `agentmesh`, e.g. `ping` or `agent add`. */
  name: string
  summary: string
  /** Positional arguments, in order; a trailing `…` marks the rest. */
  args?: Array<{ name: string, description: string, optional?: boolean }>
  options?: Record<string, OptionSpec>
  /** Whether the command prints data (and so takes `--json`). */
  json?: boolean
  details?: string
  run(ctx: CommandContext): Promise<number>
}

const COMMON: Record<string, OptionSpec> = {
  home: { type: 'string', valueName: 'DIR', description: 'the daemon home (default: $AGENTMESH_HOME or ~/.agentmesh)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' }
}
const JSON_OPTION: OptionSpec = { type: 'boolean', description: 'print machine-readable JSON' }

function optionsOf (cmd: Command): Record<string, OptionSpec> {
  return { ...(cmd.options ?? {}), ...(cmd.json === true ? { json: JSON_OPTION } : {}), ...COMMON }
}

/** The `--help` text of a command. */
export function helpText (cmd: Command): string {
  const args = (cmd.args ?? []).map((a) => a.optional === true ? `[${a.name}]` : a.name).join(' ')
  const lines = [`Usage: agentmesh ${cmd.name}${args === '' ? '' : ' ' + args} [options]`, '', cmd.summary]
  if ((cmd.args ?? []).length > 0) {
    lines.push('', 'Arguments:')
    for (const a of cmd.args ?? []) lines.push(`  ${a.name.padEnd(24)} ${a.description}`)
  }
  lines.push('', 'Options:')
  for (const [name, spec] of Object.entries(optionsOf(cmd))) {
    const flag = `${spec.short != null ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}${spec.multiple === true ? ' …' : ''}`
    lines.push(`  ${flag.padEnd(24)} ${spec.description}`)
  }
  if (cmd.details != null) lines.push('', cmd.details)
  return lines.join('\n') + '\n'
}

/** Parses `argv` (the words after the command name) for `cmd` and runs it. */
export async function runCommand (cmd: Command, argv: string[], io: Io): Promise<number> {
  const options = optionsOf(cmd)
  let parsed: { values: Record<string, unknown>, positionals: string[] }
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(options).map(([k, { description, valueName, ...spec }]) => [k, spec])),
      allowPositionals: true,
      strict: true
    })
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, ''), helpText(cmd))
  }
  if (parsed.values.help === true) {
    io.stdout(helpText(cmd))
    return 0
  }
  const specs = cmd.args ?? []
  const required = specs.filter((a) => a.optional !== true).length
  const variadic = specs.some((a) => a.name.endsWith('…'))
  if (parsed.positionals.length < required) {
    throw new UsageError(`missing ${specs[parsed.positionals.length]?.name ?? 'argument'}`, helpText(cmd))
  }
  if (!variadic && parsed.positionals.length > specs.length) {
    throw new UsageError(`unexpected argument "${parsed.positionals[specs.length] ?? ''}"`, helpText(cmd))
  }
  const home = resolveHome(parsed.values.home as string | undefined, io.env)
  return cmd.run({
    values: parsed.values as CommandContext['values'],
    positionals: parsed.positionals,
    home,
    json: parsed.values.json === true,
    io
  })
}
