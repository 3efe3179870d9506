import { AgentmeshError } from '../errors.js'

/** The receiving daemon refused a task (its ERROR frame), with its reason code (and the deciding rule of a policy denial). */
export class RelayRejectedError extends AgentmeshError {
  readonly rule: string | undefined
  constructor (code: string, message: string, rule?: string) {
    super(code, message)
    this.rule = rule
  }
}

/** The task could not be handed over: no route, the stream broke, a timeout. Retryable. */
export class RelayTransportError extends AgentmeshError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('PEER_UNREACHABLE', message, options)
  }
}

/** The task's deadline passed before it was delivered. */
export class DeadlineExceededError extends AgentmeshError {
  constructor (message: string) {
    super('DEADLINE_EXCEEDED', message)
  }
}

/**
 * What the caller's frame handler threw (an inspection veto of the answer,
 * say), wrapped so that no layer mistakes it for a broken stream and retries:
 * a retry would skip the refused frame and hand over the rest.
 */
export class AnswerRefusedError extends Error {
  constructor (cause: unknown) {
    super('the caller refused the answer', { cause })
    this.name = 'AnswerRefusedError'
  }
}
