import { AgentmeshError } from '../errors.js'

/** The command line is wrong (unknown flag, missing argument): exit status 2. */
export class UsageError extends AgentmeshError {
  readonly help: string | undefined
  constructor (message: string, help?: string) {
    super('USAGE', message)
    this.help = help
  }
}

/** The daemon's API answered with an error. */
export class ApiCallError extends AgentmeshError {
  readonly status: number
  constructor (status: number, code: string, message: string) {
    super(code, message)
    this.status = status
  }
}

/** No daemon is listening on the home's API socket. */
export class NoDaemonError extends AgentmeshError {
  constructor (socket: string, options?: { cause?: unknown }) {
    super('NO_DAEMON', `no daemon is running for this home (nothing listens on ${socket}); start one with: agentmesh daemon`, options)
  }
}
