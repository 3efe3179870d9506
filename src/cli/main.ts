import { AgentmeshError, messageOf } from '../errors.js'
import { ConfigError } from '../config/index.js'
import { VERSION } from '../version.js'
import { runCommand, type Command, type Io } from './command.js'
import { COMMANDS } from './commands/index.js'
import { UsageError } from './errors.js'

/** Exit statuses, as PRODUCT.md promises them. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const

function topHelp (): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'Usage: agentmesh <command> [options]',
    '',
    'A peer-to-peer encrypted mesh for AI agents.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width + 2)}${c.summary.split('. ')[0]?.replace(/\.$/, '') ?? ''}`),
    '',
    'Run `agentmesh <command> --help` for a command\'s options.',
    ''
  ].join('\n')
}

/** Finds the command named by the leading words of `argv` (longest match wins). */
function findCommand (argv: string[]): { cmd: Command, rest: string[] } | undefined {
  for (const n of [2, 1]) {
    const name = argv.slice(0, n).join(' ')
    const cmd = COMMANDS.find((c) => c.name === name)
    if (cmd != null) return { cmd, rest: argv.slice(n) }
  }
  return undefined
}

/**
 * Runs the agentmesh command line and returns the exit status: 0 ok, 1
 * failure, 2 usage (including invalid configuration).
 */
export async function main (argv: string[], io: Io): Promise<number> {
  const first = argv[0]
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(topHelp())
    return first === undefined ? EXIT.USAGE : EXIT.OK
  }
  if (first === '--version' || first === '-V') {
    io.stdout(`agentmesh ${VERSION}\n`)
    return EXIT.OK
  }
  const found = findCommand(argv)
  if (found == null) {
    io.stderr(`agentmesh: unknown command "${first}"\n\n${topHelp()}`)
    return EXIT.USAGE
  }
  try {
    return await runCommand(found.cmd, found.rest, io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`agentmesh ${found.cmd.name}: ${err.message}\n${err.help != null ? '\n' + err.help : ''}`)
      return EXIT.USAGE
    }
    if (err instanceof ConfigError) {
      io.stderr(`agentmesh ${found.cmd.name}: ${err.message}\n`)
      return EXIT.USAGE
    }
    if (err instanceof AgentmeshError) {
      io.stderr(`agentmesh ${found.cmd.name}: ${err.message} [${err.code}]\n`)
      return EXIT.FAILURE
    }
    io.stderr(`agentmesh ${found.cmd.name}: ${messageOf(err)}\n`)
    if (io.env.AGENTMESH_DEBUG != null && err instanceof Error) io.stderr(`${err.stack ?? ''}\n`)
    return EXIT.FAILURE
  }
}
