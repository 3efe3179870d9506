/**
 * The hierarchy policy: pure functions over (from, to, method, skill) →
 * decision and the rule that made it. Default deny; allow rules; deny rules
 * that win over allows; optional A2A methods and skills per rule; embedded
 * tests, like a firewall's. Documents are JSON or YAML of one shape and sign
 * as RFC 8785 canonical JSON.
 *
 * @example
 * ```ts
 * const policy = parsePolicy(examplePolicyYaml)
 * const report = runPolicyTests(policy)            // { total, passed, failures }
 * const decision = evaluatePolicy(policy, {
 *   from: parsePrincipalSpec('planner:orchestrator'),
 *   to: parsePrincipalSpec('search:specialist:planner'),
 *   method: 'SendMessage'
 * })
 * // { allowed: true, rule: 'orchestrator-calls-own-specialists', reason: 'allowed by rule … ' }
 * const bytesToSign = canonicalPolicyJson(policy)
 * ```
 */
export { DEFAULT_DENY_RULE, DEFAULT_TEST_METHOD, OPERATOR } from './constants.js'
export { PolicyError } from './errors.js'
export type { PolicyErrorCode } from './errors.js'
export { evaluatePolicy } from './evaluate.js'
export { examplePolicyYaml } from './example.js'
export { canonicalPolicyJson, parsePolicy } from './parse.js'
export type { PolicyFormat } from './parse.js'
export { parsePrincipalSpec } from './principal-spec.js'
export { runPolicyTests } from './tests-runner.js'
export type {
  Decision,
  NameList,
  Policy,
  PolicyRequest,
  PolicyRule,
  PolicyTestCase,
  PolicyTestFailure,
  PolicyTestReport,
  Principal,
  Selector,
  TestPrincipal
} from './types.js'
