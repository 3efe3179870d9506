import { DEFAULT_TEST_METHOD } from './constants.js'
import { evaluatePolicy } from './evaluate.js'
import { formatPrincipalSpec, parsePrincipalSpec } from './principal-spec.js'
import type { Policy, PolicyRequest, PolicyTestCase, PolicyTestFailure, PolicyTestReport, Principal, TestPrincipal } from './types.js'

/**
 * Runs a policy's embedded tests, like a firewall's: each names a call and the
 * expected outcome (and, optionally, the deciding rule). A test passes when
 * the decision agrees on allow/deny and, if it names a rule, that rule decided.
 */
export function runPolicyTests (policy: Policy): PolicyTestReport {
  const failures: PolicyTestFailure[] = []
  policy.tests.forEach((test, index) => {
    const got = evaluatePolicy(policy, testRequest(test))
    const outcomeOk = got.allowed === (test.expect === 'allow')
    const ruleOk = test.rule === undefined || test.rule === got.rule
    if (outcomeOk && ruleOk) return
    const failure: PolicyTestFailure = { index, expected: test.expect, got, test: describeTest(test) }
    if (!ruleOk) failure.wrongRule = test.rule
    failures.push(failure)
  })
  return { total: policy.tests.length, passed: policy.tests.length - failures.length, failures }
}

/** The request an embedded test makes (its method defaults to `SendMessage`). */
export function testRequest (test: PolicyTestCase): PolicyRequest {
  const request: PolicyRequest = {
    from: testPrincipal(test.from, test.fromGroups),
    to: testPrincipal(test.to, test.toGroups),
    method: test.method ?? DEFAULT_TEST_METHOD
  }
  if (test.skill !== undefined) request.skill = test.skill
  if (test.origin !== undefined) request.origin = testPrincipal(test.origin, undefined)
  return request
}

function testPrincipal (spec: string | TestPrincipal, groups: readonly string[] | undefined): Principal {
  if (typeof spec === 'string') return parsePrincipalSpec(spec, { groups: [...(groups ?? [])] })
  return { agent: spec.agent, role: spec.role, parent: spec.parent ?? null, groups: [...(spec.groups ?? [])], peer: spec.peer ?? '' }
}

/** `planner:orchestrator [finance] → search:specialist:planner (SendMessage, skill search)`. */
function describeTest (test: PolicyTestCase): string {
  const side = (spec: string | TestPrincipal, groups: readonly string[] | undefined): string => {
    const p = testPrincipal(spec, groups)
    const peer = typeof spec === 'string' || p.peer === '' ? '' : ` on ${p.peer}`
    return `${formatPrincipalSpec(p)}${peer}${p.groups.length === 0 ? '' : ` [${p.groups.join(', ')}]`}`
  }
  const call = test.skill === undefined ? test.method ?? DEFAULT_TEST_METHOD : `${test.method ?? DEFAULT_TEST_METHOD}, skill ${test.skill}`
  return `${side(test.from, test.fromGroups)} → ${side(test.to, test.toGroups)} (${call})`
}
