import { spawn } from 'node:child_process'

/** Set in the environment of a process {@link respawnWith} started, so that it does not start another. */
const MARK = 'AM_SIM_RESPAWNED'

/** Whether this process was started by {@link respawnWith}. */
export function respawned (): boolean {
  return process.env[MARK] === '1'
}

/**
 * Runs this script again with `flags` added to Node's own (V8 settings this
 * process was started without): the child does the work, this process passes
 * SIGINT and SIGTERM on and exits with the child's code.
 */
export function respawnWith (flags: string[], argv: string[]): void {
  const child = spawn(process.execPath, [...process.execArgv, ...flags, process.argv[1] as string, ...argv], { stdio: 'inherit', env: { ...process.env, [MARK]: '1' } })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { child.kill(signal) })
  child.on('exit', (code, signal) => { process.exit(code ?? (signal != null ? 1 : 0)) })
}
