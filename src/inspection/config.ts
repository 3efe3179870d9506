import { z } from 'zod'
import { DEFAULT_GUARD_TIMEOUT_MS, DEFAULT_MAX_PART_BYTES, DEFAULT_MAX_PARTS } from './constants.js'

/** The external guard: a local HTTP hook asked about every subject that passed the other checks. */
export interface GuardConfig {
  /** Where verdicts are asked (POST JSON). `http:` only to a loopback host; `https:` anywhere. */
  url: string
  /** How long the guard may take. Default 2000. */
  timeoutMs: number
  /** Let content pass when the guard cannot answer. Default false: fail closed. */
  failOpen: boolean
}

/** What inspection checks. All keys have defaults ({@link defaultInspectionConfig}). */
export interface InspectionConfig {
  /** Regular expressions (JS syntax, case-insensitive) that no text part may match, e.g. "ignore (all )?previous instructions". */
  denyPatterns: string[]
  /** Most parts in one message (or artifact). Default 64. */
  maxParts: number
  /** Largest text part, in bytes (UTF-8). Default 256 KiB. */
  maxPartBytes: number
  /** Per callee role: the skills it may be asked for (a call names its skill in params.message.metadata.skill); absent role = any skill. */
  allowedSkills: Record<string, string[]>
  /** Optional external guard. Default none. */
  guard: GuardConfig | null
}

/** The defaults: schema checks and size limits only, no patterns, no guard. A new object each call. */
export function defaultInspectionConfig (): InspectionConfig {
  return { denyPatterns: [], maxParts: DEFAULT_MAX_PARTS, maxPartBytes: DEFAULT_MAX_PART_BYTES, allowedSkills: {}, guard: null }
}

/** Why `source` is no usable deny pattern, or undefined if it is one. */
export function patternProblem (source: string): string | undefined {
  try {
    new RegExp(source, 'i')
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/i

/** Why `value` is no usable guard URL, or undefined if it is one. */
function guardUrlProblem (value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'a URL such as http://127.0.0.1:4500/verdict'
  }
  if (url.protocol === 'https:') return undefined
  if (url.protocol !== 'http:') return 'an http: or https: URL'
  // The guard sees every task in clear text: plain HTTP must not leave the host.
  return LOOPBACK.test(url.hostname) ? undefined : 'an http: URL on a loopback host (127.0.0.1, localhost, [::1]), or an https: URL'
}

const denyPattern = z.string().min(1).max(4096).superRefine((source, ctx) => {
  const problem = patternProblem(source)
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `a JavaScript regular expression (${problem})` })
})

const guardUrl = z.string().superRefine((value, ctx) => {
  const problem = guardUrlProblem(value)
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
})

/**
 * The shape of an inspection config (`.strict()`: a misspelt key is an
 * error). Missing keys take their defaults, so a partial section (`{ guard:
 * { url } }`) is complete once parsed.
 */
export const inspectionConfigSchema = z.object({
  denyPatterns: z.array(denyPattern).default(() => []),
  maxParts: z.number().int().positive().max(10_000).default(DEFAULT_MAX_PARTS),
  maxPartBytes: z.number().int().positive().max(64 * 1024 * 1024).default(DEFAULT_MAX_PART_BYTES),
  allowedSkills: z.record(z.string().min(1), z.array(z.string().min(1))).default(() => ({})),
  guard: z.object({
    url: guardUrl,
    timeoutMs: z.number().int().positive().max(60_000).default(DEFAULT_GUARD_TIMEOUT_MS),
    failOpen: z.boolean().default(false)
  }).strict().nullable().default(null)
}).strict()

// The schema and the interface must agree.
const _agree: z.output<typeof inspectionConfigSchema> extends InspectionConfig ? InspectionConfig extends z.output<typeof inspectionConfigSchema> ? true : never : never = true
void _agree
