import { AgentmeshError } from '../errors.js'

/** The identity key file is readable by group or others; like ssh, the daemon refuses it. */
export class KeyPermissionsError extends AgentmeshError {
  constructor (path: string, mode: number) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0')
    super('KEY_PERMISSIONS', `identity key ${path} has mode ${octal}: it must be readable by its owner only. Fix it with: chmod 600 ${path}`)
  }
}

/** The identity key file is missing. */
export class KeyMissingError extends AgentmeshError {
  constructor (path: string) {
    super('KEY_MISSING', `no identity key at ${path}; create one with: agentmesh init`)
  }
}

/** The identity key file exists but does not hold a usable Ed25519 key. */
export class KeyInvalidError extends AgentmeshError {
  constructor (path: string, reason: string, options?: { cause?: unknown }) {
    super('KEY_INVALID', `identity key ${path} is not a usable Ed25519 key: ${reason}`, options)
  }
}
