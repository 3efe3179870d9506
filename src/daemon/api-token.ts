import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { AgentmeshError } from '../errors.js'

/**
 * Reads the API bearer token from the home, creating it (0600) on first use.
 * Refuses a token file that group or others can read.
 */
export function loadOrCreateApiToken (path: string): string {
  if (!existsSync(path)) {
    writeFileSync(path, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' })
  }
  const mode = statSync(path).mode
  if ((mode & 0o077) !== 0) {
    throw new AgentmeshError('TOKEN_PERMISSIONS', `API token ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); fix it with: chmod 600 ${path}`)
  }
  const token = readFileSync(path, 'utf8').trim()
  if (token.length < 16) throw new AgentmeshError('TOKEN_INVALID', `API token ${path} is too short; delete it and restart to make a new one`)
  return token
}
