import { FROM_REFERENCES, SELECTOR_KEYS, TO_REFERENCES } from './constants.js'
import { asList, oneOf, shortPeer } from './describe.js'
import { splitParent } from './principal-spec.js'
import type { PolicyRequest, PolicyRule, Principal, Selector } from './types.js'

/** One condition of a rule, checked against one request. */
export interface Check {
  met: boolean
  /** What matched, for a reason: `group finance`. */
  matched: string
  /** What did not, for a reason: `from.role is specialist, not orchestrator`. */
  missed: string
}

/** Every condition of a rule, by part: the caller, the callee, and the call (methods, skills). */
export interface RuleChecks {
  from: Check[]
  to: Check[]
  call: Check[]
}

type Side = 'from' | 'to' | 'origin'

/** Checks every condition of `rule` against `request`; the rule matches when all are met. */
export function checkRule (rule: PolicyRule, request: PolicyRequest): RuleChecks {
  return {
    from: checkSelector('from', rule.from, request.from, request.to),
    to: checkSelector('to', rule.to, request.to, request.from),
    call: [...checkOrigin(rule, request), ...checkCall(rule, request)]
  }
}

/** `origin`: the principal the call's delegation chain is rooted in. */
function checkOrigin (rule: PolicyRule, request: PolicyRequest): Check[] {
  if (rule.origin === undefined) return []
  if (request.origin === undefined) return [{ met: false, matched: '', missed: 'the call carries no delegation chain to check its origin against' }]
  return checkSelector('origin', rule.origin, request.origin, request.origin)
}

/** All conditions of a rule, in explanation order. */
export function allChecks (checks: RuleChecks): Check[] {
  return [...checks.from, ...checks.to, ...checks.call]
}

/** True when `parent` (`name` or `name@peer`) names `p`: same name, and same peer if it says one. */
export function parentNames (parent: string, p: Principal): boolean {
  const { name, peer } = splitParent(parent)
  return name === p.agent && (peer === undefined || peer === p.peer)
}

function checkSelector (side: Side, selector: Selector | undefined, self: Principal, other: Principal): Check[] {
  const checks: Check[] = []
  for (const key of SELECTOR_KEYS) {
    const value = selector?.[key]
    if (value === undefined) continue
    if (typeof value === 'string' && value.startsWith('$')) {
      checks.push(checkReference(side, key, value, self, other))
    } else {
      checks.push(checkField(side, key, asList(value), self))
    }
  }
  return checks
}

function checkField (side: Side, key: typeof SELECTOR_KEYS[number], values: readonly string[], self: Principal): Check {
  switch (key) {
    case 'group': {
      const group = self.groups.find((g) => values.includes(g))
      const groups = self.groups.length === 0 ? 'none' : self.groups.join(', ')
      const wanted = values.length === 1 ? `not in group ${String(values[0])}` : `in none of the groups ${values.join(', ')}`
      return { met: group !== undefined, matched: `group ${group ?? ''}`, missed: `${side} is ${wanted} (its groups: ${groups})` }
    }
    case 'parent': {
      if (self.parent === null) return { met: false, matched: '', missed: `${side} has no parent (needs ${oneOf(values)})` }
      const parent = self.parent
      const met = values.some((v) => parentValueMatches(splitParent(v), splitParent(parent)))
      return { met, matched: `parent ${parent}`, missed: `${side}.parent is ${parent}, not ${oneOf(values)}` }
    }
    case 'peer':
      return {
        met: values.includes(self.peer),
        matched: `peer ${shortPeer(self.peer)}`,
        missed: `${side}.peer is ${self.peer === '' ? '(none)' : shortPeer(self.peer)}, not ${oneOf(values.map(shortPeer))}`
      }
    default: {
      const actual = self[key]
      return { met: values.includes(actual), matched: `${key} ${actual}`, missed: `${side}.${key} is ${actual}, not ${oneOf(values)}` }
    }
  }
}

/** A selector's `name` matches a parent of that name on any peer; `name@peer` only on that peer. */
function parentValueMatches (wanted: { name: string, peer?: string }, actual: { name: string, peer?: string }): boolean {
  return wanted.name === actual.name && (wanted.peer === undefined || wanted.peer === actual.peer)
}

function checkReference (side: Side, key: typeof SELECTOR_KEYS[number], ref: string, self: Principal, other: Principal): Check {
  const refs: Partial<Record<string, string>> = side === 'to' ? TO_REFERENCES : FROM_REFERENCES
  // parsePolicy refuses any other reference; a hand-built policy that has one matches nothing.
  if (refs[key] !== ref) return { met: false, matched: '', missed: `${side}.${key}: reference ${ref} is not valid here` }
  return key === 'agent' ? checkAgentIsParentOf(side, self, other) : checkParentIs(side, self, other)
}

/** `parent: $from` (or `$to`): self reports to the other side's agent. */
function checkParentIs (side: Side, self: Principal, other: Principal): Check {
  const otherName = side === 'to' ? 'the caller' : 'the callee'
  if (self.parent === null) return { met: false, matched: '', missed: `${side} has no parent (needs ${otherName})` }
  const otherShown = self.parent.includes('@') && other.peer !== '' ? `${other.agent}@${shortPeer(other.peer)}` : other.agent
  return {
    met: parentNames(self.parent, other),
    matched: `parent ${self.parent} (${otherName})`,
    missed: `${side}.parent is ${self.parent}, not ${otherName} (${otherShown})`
  }
}

/** `agent: $from.parent` (or `$to.parent`): self is the agent the other side reports to. */
function checkAgentIsParentOf (side: Side, self: Principal, other: Principal): Check {
  const otherName = side === 'to' ? 'the caller' : 'the callee'
  if (other.parent === null) return { met: false, matched: '', missed: `${side}.agent must be ${otherName}'s parent, but ${otherName} has none` }
  const selfShown = other.parent.includes('@') && self.peer !== '' ? `${self.agent}@${shortPeer(self.peer)}` : self.agent
  return {
    met: parentNames(other.parent, self),
    matched: `agent ${self.agent} (${otherName}'s parent)`,
    missed: `${side}.agent is ${selfShown}, not ${otherName}'s parent (${other.parent})`
  }
}

function checkCall (rule: PolicyRule, request: PolicyRequest): Check[] {
  const checks: Check[] = []
  if (rule.methods !== undefined) {
    checks.push({
      met: rule.methods.includes(request.method),
      matched: `method ${request.method}`,
      missed: `method ${request.method} is not ${oneOf(rule.methods)}`
    })
  }
  if (rule.skills !== undefined) {
    const skill = request.skill
    checks.push(skill === undefined
      ? { met: false, matched: '', missed: `the call names no skill (needs ${oneOf(rule.skills)})` }
      : { met: rule.skills.includes(skill), matched: `skill ${skill}`, missed: `skill ${skill} is not ${oneOf(rule.skills)}` })
  }
  return checks
}
