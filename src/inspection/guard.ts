import { z } from 'zod'
import { MAX_GUARD_ANSWER_BYTES, MAX_GUARD_REASON_CHARS } from './constants.js'

/** What the guard said: allow, refuse (with its reason), or nothing usable. */
export type GuardAnswer =
  | { verdict: 'allow' }
  | { verdict: 'refuse', reason: string }
  | { verdict: 'unavailable', problem: string }

/** What {@link GuardClient} needs. */
export interface GuardClientInit {
  url: string
  timeoutMs: number
  /** Default: the global fetch (kept-alive connections). */
  fetch?: typeof fetch
}

/** `{ "allow": true }` or `{ "allow": false, "reason": "…" }`; other fields are ignored. */
const verdictSchema = z.looseObject({ allow: z.boolean(), reason: z.string().optional() })

/** Asks the external guard (a local HTTP hook) for a verdict. */
export class GuardClient {
  private readonly init: GuardClientInit
  private readonly fetch: typeof fetch

  constructor (init: GuardClientInit) {
    this.init = init
    this.fetch = init.fetch ?? globalThis.fetch
  }

  /**
   * POSTs `body` (JSON) and reads the verdict. Never throws, except with
   * `signal`'s reason when the caller gives up.
   */
  async ask (body: string, signal?: AbortSignal): Promise<GuardAnswer> {
    const timeout = AbortSignal.timeout(this.init.timeoutMs)
    const both = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    try {
      const res = await this.fetch(this.init.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body, signal: both })
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => {})
        return { verdict: 'unavailable', problem: `the guard answered HTTP ${res.status}` }
      }
      const text = await readCapped(res, MAX_GUARD_ANSWER_BYTES)
      if (text === undefined) return { verdict: 'unavailable', problem: `the guard answered more than ${MAX_GUARD_ANSWER_BYTES} bytes` }
      return verdictOf(text)
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason
      if (timeout.aborted) return { verdict: 'unavailable', problem: `the guard did not answer within ${this.init.timeoutMs} ms` }
      return { verdict: 'unavailable', problem: `the guard is unreachable: ${describe(err)}` }
    }
  }
}

function verdictOf (text: string): GuardAnswer {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { verdict: 'unavailable', problem: 'the guard answered something that is not JSON' }
  }
  const parsed = verdictSchema.safeParse(json)
  if (!parsed.success) return { verdict: 'unavailable', problem: 'the guard answered something other than {"allow": true|false, "reason"?: "…"}' }
  if (parsed.data.allow) return { verdict: 'allow' }
  const reason = parsed.data.reason?.trim() ?? ''
  return { verdict: 'refuse', reason: reason === '' ? 'no reason given' : reason.slice(0, MAX_GUARD_REASON_CHARS) }
}

/** The body as text, or undefined past `max` bytes. */
async function readCapped (res: Response, max: number): Promise<string | undefined> {
  if (res.body == null) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(r.value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** fetch says "fetch failed"; the cause says why (ECONNREFUSED, …). */
function describe (err: unknown): string {
  const cause = (err as { cause?: { code?: unknown, message?: unknown } }).cause
  if (typeof cause?.code === 'string') return cause.code
  if (typeof cause?.message === 'string') return cause.message
  return err instanceof Error ? err.message : String(err)
}
