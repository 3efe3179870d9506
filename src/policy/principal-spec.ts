import { OPERATOR } from './constants.js'
import { PolicyError } from './errors.js'
import type { Principal } from './types.js'

/** A parent value split into the agent name and, if it names one, the peer. */
export interface ParentName {
  name: string
  peer?: string
}

/**
 * Parses the compact principal form `NAME:ROLE[:PARENT]` used by embedded
 * tests and the CLI (PARENT is `name` or `name@peer`); the bare spec
 * `operator` is the host's operator. `extra` supplies what the compact form
 * cannot say. Throws a {@link PolicyError} (`INVALID_PRINCIPAL`) for empty
 * parts, spaces or too many colons.
 */
export function parsePrincipalSpec (spec: string, extra: { groups?: string[], peer?: string } = {}): Principal {
  const base = { peer: extra.peer ?? '', groups: [...(extra.groups ?? [])] }
  if (spec === OPERATOR) return { agent: OPERATOR, role: OPERATOR, parent: null, ...base }

  const parts = spec.split(':')
  if (parts.length < 2) {
    throw invalid(spec, `expected NAME:ROLE[:PARENT] or ${OPERATOR}`)
  }
  if (parts.length > 3) {
    throw invalid(spec, `too many colons (expected NAME:ROLE[:PARENT])`)
  }
  const [agent = '', role = '', parent] = parts
  checkPart(spec, 'NAME', agent)
  checkPart(spec, 'ROLE', role)
  if (parent !== undefined) {
    checkPart(spec, 'PARENT', parent)
    const problem = parentProblem(parent)
    if (problem !== undefined) throw invalid(spec, `PARENT ${problem}`)
  }
  return { agent, role, parent: parent ?? null, ...base }
}

/** Splits `name` or `name@peer`; peer IDs never contain `@`, so the last one separates. */
export function splitParent (value: string): ParentName {
  const at = value.lastIndexOf('@')
  return at < 0 ? { name: value } : { name: value.slice(0, at), peer: value.slice(at + 1) }
}

/** Why `value` is not `name` or `name@peer`, or undefined if it is. */
export function parentProblem (value: string): string | undefined {
  const parts = value.split('@')
  if (parts.length > 2) return `"${value}" has more than one @ (expected name or name@peer)`
  if (parts.some((p) => p === '')) return `"${value}" has an empty name or peer (expected name or name@peer)`
  return undefined
}

/**
 * The compact form of a principal, for messages: `NAME:ROLE[:PARENT]`, or
 * `operator`. Groups and peer are not part of it.
 */
export function formatPrincipalSpec (p: Pick<Principal, 'agent' | 'role' | 'parent'>): string {
  if (p.agent === OPERATOR && p.role === OPERATOR && p.parent === null) return OPERATOR
  return p.parent === null ? `${p.agent}:${p.role}` : `${p.agent}:${p.role}:${p.parent}`
}

function checkPart (spec: string, label: string, value: string): void {
  if (value === '') throw invalid(spec, `${label} is empty (expected NAME:ROLE[:PARENT])`)
  if (/\s/.test(value)) throw invalid(spec, `${label} "${value}" contains white space`)
}

function invalid (spec: string, why: string): PolicyError {
  return new PolicyError('INVALID_PRINCIPAL', `invalid principal "${spec}": ${why}`)
}
