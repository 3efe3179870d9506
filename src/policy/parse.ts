import canonicalize from 'canonicalize'
import { LineCounter, parseDocument } from 'yaml'
import { PolicyError } from './errors.js'
import { policyErrorFromIssues } from './issues.js'
import { jsonErrorOffset, lineAndColumn } from './json-position.js'
import { policySchema } from './schema.js'
import type { Policy } from './types.js'

/** The syntaxes a policy document may be written in; `auto` tells them apart by the first character. */
export type PolicyFormat = 'json' | 'yaml' | 'auto'

/**
 * Parses and validates a policy document. With `auto` (the default) it is
 * JSON if the first non-space character is `{`, else YAML. Returns a deeply
 * frozen {@link Policy}; throws a {@link PolicyError} (`INVALID_POLICY`) that
 * names the offending path, or the line of a syntax error.
 */
export function parsePolicy (text: string, format: PolicyFormat = 'auto'): Policy {
  const source = text.replace(/^\uFEFF/, '')
  const json = format === 'json' || (format === 'auto' && source.trimStart().startsWith('{'))
  const value = json ? parseJson(source) : parseYaml(source)
  const result = policySchema.safeParse(value)
  if (!result.success) throw policyErrorFromIssues(result.error.issues, value)
  return deepFreeze(result.data as Policy)
}

/**
 * The RFC 8785 canonical JSON of a policy (tests included): equal documents,
 * whatever their syntax or key order, give the same bytes to sign, and
 * `parsePolicy(canonicalPolicyJson(p))` equals `p`.
 */
export function canonicalPolicyJson (policy: Policy): string {
  const json = canonicalize(policy)
  if (json === undefined) throw new PolicyError('INVALID_POLICY', 'invalid policy: not serializable as JSON')
  return json
}

function parseJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    const message = (err as Error).message.replace(/ in JSON at position \d+ \(line \d+ column \d+\)$/, '')
    const offset = jsonErrorOffset(text)
    if (offset === undefined) throw new PolicyError('INVALID_POLICY', `invalid policy: JSON syntax error: ${message}`, { cause: err })
    const { line, column } = lineAndColumn(text, offset)
    throw new PolicyError('INVALID_POLICY', `invalid policy: JSON syntax error at line ${line}, column ${column}: ${message}`, { cause: err, line })
  }
}

function parseYaml (text: string): unknown {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const error = doc.errors[0]
  if (error !== undefined) {
    const { line, col } = lineCounter.linePos(error.pos[0])
    const message = error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '')
    throw new PolicyError('INVALID_POLICY', `invalid policy: YAML syntax error at line ${line}, column ${col}: ${message}`, {
      cause: error,
      line
    })
  }
  try {
    return doc.toJS({ maxAliasCount: 100 })
  } catch (err) {
    throw new PolicyError('INVALID_POLICY', `invalid policy: YAML: ${(err as Error).message}`, { cause: err })
  }
}

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
