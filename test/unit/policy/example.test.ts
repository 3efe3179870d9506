import { describe, expect, it } from 'vitest'
import { evaluatePolicy, examplePolicyYaml, parsePolicy, runPolicyTests } from '../../../src/policy/index.js'
import { call, p } from './helpers.js'

const policy = parsePolicy(examplePolicyYaml)

describe('examplePolicyYaml', () => {
  it('parses, and all its embedded tests pass', () => {
    const report = runPolicyTests(policy)
    expect(report.failures).toEqual([])
    expect(report.total).toBeGreaterThanOrEqual(10)
    expect(report.passed).toBe(report.total)
  })

  it('is commented YAML', () => {
    expect(examplePolicyYaml).toMatch(/^#/)
    expect(examplePolicyYaml.trimStart().startsWith('{')).toBe(false)
  })

  it('lets an orchestrator call its own specialists', () => {
    expect(evaluatePolicy(policy, call('planner:orchestrator', 'search:specialist:planner'))).toMatchObject({
      allowed: true, rule: 'orchestrator-calls-own-specialists'
    })
  })

  it('lets a specialist report back to its own orchestrator only', () => {
    expect(evaluatePolicy(policy, call('search:specialist:planner', 'planner:orchestrator')).allowed).toBe(true)
    expect(evaluatePolicy(policy, call('search:specialist:planner', 'accountant:orchestrator')).allowed).toBe(false)
  })

  it('denies calls between siblings', () => {
    const d = evaluatePolicy(policy, call('search:specialist:planner', 'writer:specialist:planner'))
    expect(d).toMatchObject({ allowed: false, rule: 'default-deny' })
    expect(d.reason).toContain('closest: rule "orchestrator-calls-own-specialists" did not match: from.role is specialist, not orchestrator')
  })

  it("denies calls to another orchestrator's specialists", () => {
    expect(evaluatePolicy(policy, call('planner:orchestrator', 'ledger:specialist:accountant')).allowed).toBe(false)
    expect(evaluatePolicy(policy, call('search:specialist:planner', 'ledger:specialist:accountant')).allowed).toBe(false)
  })

  it('denies finance → public even where the hierarchy allows', () => {
    const d = evaluatePolicy(policy, call(
      p('accountant:orchestrator', { groups: ['finance'] }),
      p('ledger:specialist:accountant', { groups: ['public'] })
    ))
    expect(d).toEqual({
      allowed: false,
      rule: 'finance-never-public',
      reason: 'denied by rule "finance-never-public" (deny): from group finance → to group public'
    })
  })

  it('lets the operator call any orchestrator, but not a specialist', () => {
    expect(evaluatePolicy(policy, call('operator', 'planner:orchestrator')).allowed).toBe(true)
    expect(evaluatePolicy(policy, call('operator', 'accountant:orchestrator', 'CancelTask')).allowed).toBe(true)
    expect(evaluatePolicy(policy, call('operator', 'search:specialist:planner')).allowed).toBe(false)
    // An agent merely named like a role is no operator.
    expect(evaluatePolicy(policy, call('operator:specialist', 'planner:orchestrator')).allowed).toBe(false)
  })
})
