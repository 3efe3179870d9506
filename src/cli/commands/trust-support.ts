import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { AgentmeshError } from '../../errors.js'
import { homePaths } from '../../home/index.js'
import type { Certificate } from '../../trust/index.js'
import { callApi } from '../api-client.js'
import { NoDaemonError, UsageError } from '../errors.js'

/** The `--authority` option, shared by every command that signs. */
export const AUTHORITY_OPTION = {
  type: 'string',
  valueName: 'DIR',
  description: 'the authority folder (default: $AGENTMESH_AUTHORITY or ~/.agentmesh-authority)'
} as const

/** Largest file a trust command reads (bundles and policies are a few KiB). */
const MAX_INPUT_BYTES = 1024 * 1024

/** A file a command was asked to read or write cannot be used. */
export class CliFileError extends AgentmeshError {}

/** A signed document could not be installed on the running daemon. */
export class CliInstallError extends AgentmeshError {}

/** The authority folder: `--authority`, else `$AGENTMESH_AUTHORITY`, else `~/.agentmesh-authority`. */
export function resolveAuthority (explicit: unknown, env: Record<string, string | undefined>): string {
  const chosen = typeof explicit === 'string' ? explicit : env.AGENTMESH_AUTHORITY ?? join(homedir(), '.agentmesh-authority')
  if (chosen === '') throw new UsageError('--authority must not be empty')
  return resolve(chosen)
}

/** Reads a file named on the command line, with errors that say which and why. */
export function readInput (path: string, what: string): Buffer {
  let size: number
  try {
    const st = statSync(path)
    if (!st.isFile()) throw new CliFileError('NOT_A_FILE', `${what} ${path} is not a file`)
    size = st.size
  } catch (err) {
    if (err instanceof CliFileError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new CliFileError(code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE', code === 'ENOENT' ? `${what} ${path} does not exist` : `cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err })
  }
  if (size > MAX_INPUT_BYTES) throw new CliFileError('FILE_TOO_LARGE', `${what} ${path} is ${size} bytes; the limit is ${MAX_INPUT_BYTES}`)
  try {
    return readFileSync(path)
  } catch (err) {
    throw new CliFileError('FILE_UNREADABLE', `cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err })
  }
}

/**
 * Checks, before anything is signed, that `path` can be written: its folder
 * exists and, unless `force`, the file does not.
 */
export function checkOutput (path: string, force: boolean): void {
  if (!existsSync(dirname(path))) throw new CliFileError('FILE_NOT_FOUND', `cannot write ${path}: the folder ${dirname(path)} does not exist`)
  if (!force && existsSync(path)) throw new CliFileError('FILE_EXISTS', `${path} already exists; choose another --out or add --force to overwrite it`)
}

/** Writes `bytes` to `path` readable by its owner only (0600), never following onto an existing file unless `force`. */
export function writeSecret (path: string, bytes: Uint8Array, force: boolean): void {
  try {
    writeFileSync(path, bytes, { mode: 0o600, flag: force ? 'w' : 'wx' })
    chmodSync(path, 0o600)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new CliFileError('FILE_EXISTS', `${path} already exists; choose another --out or add --force to overwrite it`, { cause: err })
    throw new CliFileError('FILE_UNWRITABLE', `cannot write ${path}: ${(err as Error).message}`, { cause: err })
  }
}

/**
 * Parses a duration `<n>d|h|m|s` (e.g. `30d`, `12h`) into milliseconds.
 * @throws {UsageError} naming `flag` when it is not one
 */
export function parseDuration (text: string, flag: string): number {
  const m = /^(\d+)([dhms])$/.exec(text.trim())
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[m?.[2] as 'd' | 'h' | 'm' | 's']
  const ms = m == null || unit === undefined ? NaN : Number(m[1]) * unit
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new UsageError(`${flag} "${text}" is not a duration: expected a positive whole number and a unit d, h, m or s (e.g. 30d, 12h)`)
  }
  return ms
}

/** Calls the home's daemon if one runs; `undefined` when none does. Other API errors are thrown. */
export async function callDaemonIfRunning (home: string, method: string, path: string, body?: unknown): Promise<any> {
  try {
    return await callApi(homePaths(home).apiSocket, method, path, body)
  } catch (err) {
    if (err instanceof NoDaemonError) return undefined
    throw err
  }
}

/**
 * The error to raise when a running daemon refuses a document the authority
 * has already signed: it keeps the daemon's code and says what did happen.
 */
export function refusedByDaemon (err: unknown, done: string, home: string): AgentmeshError {
  const code = err instanceof AgentmeshError ? err.code : 'INSTALL_FAILED'
  return new CliInstallError(code, `${done}, but the daemon of ${home} did not take it: ${(err as Error).message}`, { cause: err })
}

/** An agent grant as users type it: `NAME:ROLE[:PARENT]`. */
export function grantSpec (a: { name: string, role: string, parent: string | null }): string {
  return `${a.name}:${a.role}${a.parent != null && a.parent !== '' ? ':' + a.parent : ''}`
}

/** A certificate as the trust commands print it in `--json` (the shape of `GET /v1/trust`, plus subject). */
export interface CertificateJson {
  serial: number
  issuer: string
  subject: string
  agents: Array<{ name: string, role: string, parent: string | null }>
  groups: string[]
  notBefore: string
  notAfter: string
}

/** The JSON view of a certificate. */
export function certificateJson (cert: Certificate): CertificateJson {
  return {
    serial: cert.serial,
    issuer: cert.issuer,
    subject: cert.subject,
    agents: cert.agents.map((a) => ({ name: a.name, role: a.role, parent: a.parent === '' ? null : a.parent })),
    groups: [...cert.groups],
    notBefore: new Date(cert.notBeforeMs).toISOString(),
    notAfter: new Date(cert.notAfterMs).toISOString()
  }
}

/** Aligned `label: value` lines. */
export function table (rows: Array<[string, string]>, indent = ''): string {
  const width = Math.max(...rows.map(([k]) => k.length)) + 1
  return rows.map(([k, v]) => `${indent}${(k + ':').padEnd(width)} ${v}`).join('\n') + '\n'
}
