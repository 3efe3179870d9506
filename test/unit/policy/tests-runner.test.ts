import { describe, expect, it } from 'vitest'
import { parsePolicy, runPolicyTests } from '../../../src/policy/index.js'

const RULES = `
rules:
  - id: own
    effect: allow
    from: { role: orchestrator }
    to: { parent: $from }
  - id: anyone-reads
    effect: allow
    methods: [GetTask]
`

describe('runPolicyTests', () => {
  it('passes tests that hold, with SendMessage as the default method', () => {
    const report = runPolicyTests(parsePolicy(`${RULES}
tests:
  - { expect: allow, from: "planner:orchestrator", to: "search:specialist:planner", rule: own }
  - { expect: deny, from: "search:specialist:planner", to: "writer:specialist:planner" }
  - { expect: allow, from: "search:specialist:planner", to: "writer:specialist:planner", method: GetTask, rule: anyone-reads }
  - { expect: deny, from: "a:b", to: "c:d", rule: default-deny }
`))
    expect(report).toEqual({ total: 4, passed: 4, failures: [] })
  })

  it('reports a failing test with its index, expectation, decision and call', () => {
    const report = runPolicyTests(parsePolicy(`${RULES}
tests:
  - { expect: allow, from: "planner:orchestrator", to: "search:specialist:planner" }
  - { expect: allow, from: "search:specialist:planner", to: "writer:specialist:planner", skill: search }
  - { expect: deny, from: "x:orchestrator", fromGroups: [finance, ops], to: "y:specialist:x", toGroups: [public], method: CancelTask }
`))
    expect(report.total).toBe(3)
    expect(report.passed).toBe(1)
    expect(report.failures).toHaveLength(2)
    const [first, second] = report.failures
    expect(first).toMatchObject({
      index: 1,
      expected: 'allow',
      got: { allowed: false, rule: 'default-deny' },
      test: 'search:specialist:planner → writer:specialist:planner (SendMessage, skill search)'
    })
    expect(first?.got.reason).toContain('no rule allows')
    expect(first?.wrongRule).toBeUndefined()
    expect(second).toMatchObject({
      index: 2,
      expected: 'deny',
      got: { allowed: true, rule: 'own' },
      test: 'x:orchestrator [finance, ops] → y:specialist:x [public] (CancelTask)'
    })
  })

  it('fails a test whose outcome is right but whose deciding rule is not', () => {
    const report = runPolicyTests(parsePolicy(`${RULES}
tests:
  - { expect: allow, from: "planner:orchestrator", to: "search:specialist:planner", method: GetTask, rule: anyone-reads }
`))
    expect(report.passed).toBe(0)
    expect(report.failures[0]).toMatchObject({ index: 0, expected: 'allow', got: { allowed: true, rule: 'own' }, wrongRule: 'anyone-reads' })
  })

  it('takes full principal objects, peers included', () => {
    const report = runPolicyTests(parsePolicy(`${RULES}
tests:
  - expect: allow
    from: { agent: planner, role: orchestrator, peer: peer-a }
    to: { agent: search, role: specialist, parent: planner@peer-a, peer: peer-b, groups: [eng] }
    rule: own
  - expect: allow
    from: { agent: planner, role: orchestrator, peer: peer-c }
    to: { agent: search, role: specialist, parent: planner@peer-a, peer: peer-b }
`))
    expect(report.total).toBe(2)
    expect(report.passed).toBe(1)
    expect(report.failures[0]).toMatchObject({
      index: 1,
      got: { allowed: false },
      test: 'planner:orchestrator on peer-c → search:specialist:planner@peer-a on peer-b (SendMessage)'
    })
  })

  it('reports no tests for a policy without any', () => {
    expect(runPolicyTests(parsePolicy(RULES))).toEqual({ total: 0, passed: 0, failures: [] })
  })
})
