import { AgentmeshError } from '../errors.js'

/** Another live daemon holds this home's lock. */
export class HomeLockedError extends AgentmeshError {
  readonly pid: number
  constructor (home: string, pid: number) {
    super('HOME_LOCKED', `another agentmesh daemon (pid ${pid}) is already running on ${home}; stop it first, or give this one its own --home`)
    this.pid = pid
  }
}

/** The home folder cannot be used (missing, not a folder, or unwritable). */
export class HomeError extends AgentmeshError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('HOME_UNUSABLE', message, options)
  }
}
