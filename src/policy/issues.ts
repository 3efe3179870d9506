import type { z } from 'zod'
import { PolicyError } from './errors.js'

type Issue = z.core.$ZodIssue
type Path = ReadonlyArray<PropertyKey>

/**
 * Turns the first problem zod found into a {@link PolicyError} whose message
 * names the path (`rules[2].from.rol: no such key (known: …)`) and, for a bad
 * value, what was there.
 */
export function policyErrorFromIssues (issues: readonly Issue[], input: unknown): PolicyError {
  // A misspelt key usually also leaves a required key missing; the misspelling is the news.
  const first = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]
  if (first === undefined) return new PolicyError('INVALID_POLICY', 'invalid policy')
  const { path, message, code } = describeIssue(first, [])
  const where = formatPath(path)
  // Custom messages already quote the value; an unknown key's value is beside the point.
  const got = code === 'custom' || code === 'unrecognized_keys' ? '' : shown(path, input)
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : ''
  return new PolicyError('INVALID_POLICY', `invalid policy: ${where === '' ? '' : `${where}: `}${message}${got}${more}`, { path: where })
}

/** Formats a path the way a reader writes it: `rules[2].from.rol`. */
export function formatPath (path: Path): string {
  return path.map((k, i) => typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`).join('')
}

function describeIssue (issue: Issue, prefix: Path): { path: Path, message: string, code: Issue['code'] } {
  const path = [...prefix, ...issue.path]
  if (issue.code === 'unrecognized_keys') {
    return { path: [...path, issue.keys[0] ?? ''], message: issue.message, code: issue.code }
  }
  if (issue.code === 'invalid_union') {
    // A union fails in every branch; the branch that got past the type check is what the author meant.
    const deeper = issue.errors.find((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0))
    const inner = deeper?.[0]
    if (inner !== undefined) return describeIssue(inner, path)
  }
  return { path, message: issue.message, code: issue.code }
}

/** ` (got …)` for a short, present value; nothing for a missing key or a big one. */
function shown (path: Path, input: unknown): string {
  let value: unknown = input
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return ''
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  if (value === undefined) return path.length === 0 ? ' (got nothing)' : ' (missing)'
  const json = JSON.stringify(value)
  return json !== undefined && json.length <= 60 ? ` (got ${json})` : ''
}
