import type { Logger } from '../telemetry/index.js'
import type { InspectionConfig } from './config.js'
import { MESSAGE_METHODS } from './constants.js'
import { checkContent, type ContentRules } from './content-rules.js'
import { DenyPatterns } from './deny-patterns.js'
import { GuardClient } from './guard.js'
import { checkSchema } from './schema-check.js'
import type { InspectionSubject, Veto } from './types.js'
import { PARAMS_SCHEMAS } from './wire-schema.js'

/** What an {@link Inspector} takes. */
export interface InspectorInit {
  config: InspectionConfig
  /** Used to ask the guard; default the global fetch. */
  fetch?: typeof fetch
  log?: Logger
}

/**
 * Inspects content before it is executed: a request before a receiving
 * daemon hands it to its agent, a reply before a sending daemon hands it to
 * its caller. In order: the schema (JSON-RPC 2.0 and the A2A v1.0 wire
 * shapes), the content rules (skills, part count and size, deny patterns),
 * then the external guard. The first refusal is the veto.
 */
export class Inspector {
  private readonly rules: ContentRules
  private readonly guard: GuardClient | undefined
  private readonly failOpen: boolean
  private readonly log: Logger | undefined

  /** Compiles the deny patterns; throws an InspectionConfigError for one that does not compile. */
  constructor (init: InspectorInit) {
    const { config } = init
    this.rules = {
      maxParts: config.maxParts,
      maxPartBytes: config.maxPartBytes,
      patterns: new DenyPatterns(config.denyPatterns),
      skills: new Map(Object.entries(config.allowedSkills).map(([role, skills]) => [role, new Set(skills)]))
    }
    this.guard = config.guard == null
      ? undefined
      : new GuardClient({ url: config.guard.url, timeoutMs: config.guard.timeoutMs, ...(init.fetch != null ? { fetch: init.fetch } : {}) })
    this.failOpen = config.guard?.failOpen ?? false
    this.log = init.log
  }

  /**
   * True when inspecting this subject costs no more than the schema check
   * and the size limits: no guard to ask, and no deny pattern that could
   * matter (none configured, or an A2A request that carries task ids, not a
   * message). Then {@link check} answers as {@link inspect} would, without a
   * promise: the hot path can call it inline.
   */
  isCheap (subject: Pick<InspectionSubject, 'direction' | 'method'>): boolean {
    if (this.guard !== undefined) return false
    if (this.rules.patterns.size === 0) return true
    // GetTask, CancelTask, …: a scan of a few ids costs next to nothing.
    return subject.direction === 'request' && PARAMS_SCHEMAS.has(subject.method) && !MESSAGE_METHODS.has(subject.method)
  }

  /**
   * Everything but the guard, synchronously: the schema, then the content
   * rules. Undefined when the content may pass. Never throws.
   */
  check (subject: InspectionSubject): Veto | undefined {
    try {
      let json: unknown
      try {
        json = JSON.parse(subject.payload)
      } catch (err) {
        return { code: 'SCHEMA_INVALID', message: `the ${subject.direction} is not JSON`, detail: (err as Error).message }
      }
      const schema = checkSchema(subject.direction, subject.method, json)
      if ('veto' in schema) return schema.veto
      return checkContent(subject, schema.content, this.rules)
    } catch (err) {
      // A bug here must not let content through unseen.
      this.log?.error({ err, method: subject.method, direction: subject.direction }, 'inspection failed')
      return { code: 'SCHEMA_INVALID', message: `the ${subject.direction} could not be inspected`, detail: (err as Error).message }
    }
  }

  /**
   * Resolves undefined when the content may pass, or the veto. Never throws
   * for bad input; rejects with `signal`'s reason if the caller gives up
   * while the guard is asked.
   */
  async inspect (subject: InspectionSubject, signal?: AbortSignal): Promise<Veto | undefined> {
    const veto = this.check(subject)
    if (veto !== undefined || this.guard === undefined) return veto
    return this.askGuard(this.guard, subject, signal)
  }

  private async askGuard (guard: GuardClient, subject: InspectionSubject, signal?: AbortSignal): Promise<Veto | undefined> {
    let body: string
    try {
      body = guardRequest(subject)
    } catch (err) {
      return this.unavailable(subject, `the guard request could not be built: ${(err as Error).message}`)
    }
    const answer = await guard.ask(body, signal)
    switch (answer.verdict) {
      case 'allow': return undefined
      case 'refuse': return { code: 'GUARD_VETO', message: `the guard refused the ${subject.direction}: ${answer.reason}` }
      default: return this.unavailable(subject, answer.problem)
    }
  }

  private unavailable (subject: InspectionSubject, problem: string): Veto | undefined {
    if (this.failOpen) {
      this.log?.warn({ method: subject.method, direction: subject.direction, problem }, 'inspection guard unavailable; letting content pass (failOpen)')
      return undefined
    }
    this.log?.warn({ method: subject.method, direction: subject.direction, problem }, 'inspection guard unavailable; refusing')
    return { code: 'GUARD_UNAVAILABLE', message: `the inspection guard could not decide, so the ${subject.direction} is refused: ${problem}`, detail: problem }
  }
}

/**
 * `{ direction, method, from, to, chain, decision, payload }`. The payload
 * is spliced in as sent: it is known to be JSON, and serialising it again
 * would cost as much as parsing it.
 */
function guardRequest (subject: InspectionSubject): string {
  const head = JSON.stringify({
    direction: subject.direction,
    method: subject.method,
    from: subject.from,
    to: subject.to,
    chain: subject.chain ?? null,
    decision: subject.decision ?? null
  })
  return `${head.slice(0, -1)},"payload":${subject.payload}}`
}
