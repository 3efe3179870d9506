import { DEFAULT_DENY_RULE } from './constants.js'
import { who } from './describe.js'
import { allChecks, checkRule } from './match.js'
import type { RuleChecks } from './match.js'
import type { Decision, Policy, PolicyRequest } from './types.js'

/**
 * Decides one call. A matching deny rule wins over every allow rule, wherever
 * it stands (the first in document order is reported); otherwise the first
 * matching allow rule allows; otherwise the call is denied by default. A rule
 * matches when its `from` and `to` selectors match and, if it lists methods or
 * skills, the call's method and skill are among them.
 */
export function evaluatePolicy (policy: Policy, request: PolicyRequest): Decision {
  const checked = policy.rules.map((rule) => ({ rule, checks: checkRule(rule, request) }))
  const matches = checked.filter(({ checks }) => allChecks(checks).every((c) => c.met))

  const deny = matches.find(({ rule }) => rule.effect === 'deny')
  if (deny !== undefined) {
    return { allowed: false, rule: deny.rule.id, reason: `denied by rule "${deny.rule.id}" (deny): ${describeMatch(deny.checks)}` }
  }
  const allow = matches.find(({ rule }) => rule.effect === 'allow')
  if (allow !== undefined) {
    return { allowed: true, rule: allow.rule.id, reason: `allowed by rule "${allow.rule.id}": ${describeMatch(allow.checks)}` }
  }

  const call = request.skill === undefined ? request.method : `${request.method}, skill ${request.skill}`
  const allows = checked.filter(({ rule }) => rule.effect === 'allow')
  return {
    allowed: false,
    rule: DEFAULT_DENY_RULE,
    reason: `no rule allows ${who(request.from)} → ${who(request.to)} for ${call} (default deny)${closestMiss(allows)}`
  }
}

/** `from role orchestrator → to role specialist, parent planner (the caller) for method SendMessage`. */
function describeMatch (checks: RuleChecks): string {
  const side = (name: string, matched: string[]): string => `${name} ${matched.length === 0 ? 'anyone' : matched.join(', ')}`
  const call = checks.call.length === 0 ? '' : ` for ${checks.call.map((c) => c.matched).join(' and ')}`
  return `${side('from', checks.from.map((c) => c.matched))} → ${side('to', checks.to.map((c) => c.matched))}${call}`
}

/** Kept simple on purpose: the first allow rule of which some condition held, and what did not. */
function closestMiss (allows: Array<{ rule: { id: string }, checks: RuleChecks }>): string {
  if (allows.length === 0) return '; the policy has no allow rules'
  for (const { rule, checks } of allows) {
    const all = allChecks(checks)
    if (!all.some((c) => c.met)) continue
    const missed = all.filter((c) => !c.met).map((c) => c.missed)
    return `; closest: rule "${rule.id}" did not match: ${missed.join('; ')}`
  }
  return ''
}
