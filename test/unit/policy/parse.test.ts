import { describe, expect, it } from 'vitest'
import {
  PolicyError, canonicalPolicyJson, evaluatePolicy, examplePolicyYaml, parsePolicy, runPolicyTests
} from '../../../src/policy/index.js'
import { call, p, thrown } from './helpers.js'

const YAML_POLICY = `
# a comment
rules:
  - id: orchestrator-calls-own-specialists
    effect: allow
    description: own specialists only
    from: { role: orchestrator }
    to: { role: specialist, parent: $from }
    methods: [SendMessage, GetTask]
  - id: finance-never-public
    effect: deny
    from: { group: finance }
    to: { group: [public, partners] }
tests:
  - expect: allow
    from: "planner:orchestrator"
    to: "search:specialist:planner"
  - expect: deny
    from: planner:orchestrator
    fromGroups: [finance]
    to: { agent: search, role: specialist, parent: planner, groups: [public], peer: p1 }
    method: GetTask
    skill: search
    rule: finance-never-public
`

const JSON_POLICY = `{
  "tests": [
    { "to": "search:specialist:planner", "from": "planner:orchestrator", "expect": "allow" },
    { "expect": "deny", "rule": "finance-never-public", "skill": "search", "method": "GetTask",
      "to": { "peer": "p1", "groups": ["public"], "parent": "planner", "role": "specialist", "agent": "search" },
      "fromGroups": ["finance"], "from": "planner:orchestrator" }
  ],
  "rules": [
    { "to": { "parent": "$from", "role": "specialist" }, "from": { "role": "orchestrator" },
      "methods": ["SendMessage", "GetTask"], "effect": "allow", "id": "orchestrator-calls-own-specialists",
      "description": "own specialists only" },
    { "id": "finance-never-public", "effect": "deny", "from": { "group": "finance" },
      "to": { "group": ["public", "partners"] } }
  ]
}`

/** The PolicyError `fn` throws, checked to be one. */
function policyError (fn: () => unknown): PolicyError {
  const err = thrown(fn)
  expect(err).toBeInstanceOf(PolicyError)
  expect((err as PolicyError).code).toBe('INVALID_POLICY')
  return err as PolicyError
}

function rule (body: string): string {
  return `rules:\n  - id: r\n    effect: allow\n${body}`
}

describe('parsePolicy', () => {
  it('parses YAML into the document, rules in order', () => {
    const policy = parsePolicy(YAML_POLICY)
    expect(policy.rules.map((r) => r.id)).toEqual(['orchestrator-calls-own-specialists', 'finance-never-public'])
    expect(policy.rules[0]).toEqual({
      id: 'orchestrator-calls-own-specialists',
      effect: 'allow',
      description: 'own specialists only',
      from: { role: 'orchestrator' },
      to: { role: 'specialist', parent: '$from' },
      methods: ['SendMessage', 'GetTask']
    })
    expect(policy.tests).toHaveLength(2)
  })

  it('gives the same policy and the same decisions from JSON and YAML', () => {
    const fromYaml = parsePolicy(YAML_POLICY)
    const fromJson = parsePolicy(JSON_POLICY)
    expect(fromJson).toEqual(fromYaml)
    const requests = [
      call('planner:orchestrator', 'search:specialist:planner'),
      call('planner:orchestrator', 'search:specialist:planner', 'CancelTask'),
      call(p('planner:orchestrator', { groups: ['finance'] }), p('search:specialist:planner', { groups: ['partners'] })),
      call('search:specialist:planner', 'planner:orchestrator')
    ]
    for (const request of requests) expect(evaluatePolicy(fromJson, request)).toEqual(evaluatePolicy(fromYaml, request))
    expect(runPolicyTests(fromJson)).toEqual(runPolicyTests(fromYaml))
    expect(runPolicyTests(fromYaml)).toMatchObject({ total: 2, passed: 2 })
  })

  it('tells JSON from YAML by the first non-space character, or as told', () => {
    expect(parsePolicy('  \n {"rules": []}').rules).toEqual([])
    expect(parsePolicy('rules: []', 'yaml').rules).toEqual([])
    expect(parsePolicy('{"rules": []}', 'yaml').rules).toEqual([]) // JSON is YAML too
    expect(policyError(() => parsePolicy('rules: []', 'json')).message).toMatch(/^invalid policy: JSON syntax error at line 1, column 1/)
  })

  it('defaults tests to an empty list', () => {
    expect(parsePolicy('rules: []')).toEqual({ rules: [], tests: [] })
  })

  it('returns a frozen policy', () => {
    const policy = parsePolicy(YAML_POLICY)
    expect(Object.isFrozen(policy)).toBe(true)
    expect(Object.isFrozen(policy.rules)).toBe(true)
    expect(Object.isFrozen(policy.rules[0]?.to)).toBe(true)
    expect(Object.isFrozen(policy.rules[0]?.methods)).toBe(true)
    expect(() => { (policy.rules as unknown[]).push({}) }).toThrow(TypeError)
  })
})

describe('parsePolicy errors name the path', () => {
  it.each([
    ['an unknown selector key',
      'rules:\n  - { id: a, effect: allow }\n  - { id: b, effect: allow }\n  - { id: c, effect: allow, from: { rol: x } }\n',
      'rules[2].from.rol', 'rules[2].from.rol: no such key (known: agent, role, group, peer, parent)'],
    ['an unknown rule key', rule('    method: [GetTask]\n'), 'rules[0].method',
      'rules[0].method: no such key (known: id, effect, description, from, to, methods, skills, origin)'],
    ['an unknown top-level key', 'rulez: []\n', 'rulez', 'rulez: no such key (known: rules, tests)'],
    ['an unknown test key', 'rules: []\ntests:\n  - { expect: deny, from: a:b, to: c:d, skills: [x] }\n', 'tests[0].skills', 'no such key'],
    ['an unknown key in a test principal', 'rules: []\ntests:\n  - { expect: deny, from: { agent: a, role: b, group: [x] }, to: c:d }\n',
      'tests[0].from.group', 'no such key (known: agent, role, parent, groups, peer)'],
    ['a bad effect', 'rules:\n  - { id: a, effect: permit }\n', 'rules[0].effect', 'rules[0].effect: expected allow or deny (got "permit")'],
    ['a missing effect', 'rules:\n  - { id: a }\n', 'rules[0].effect', 'rules[0].effect: expected allow or deny (missing)'],
    ['a duplicate rule id', 'rules:\n  - { id: a, effect: allow }\n  - { id: a, effect: deny }\n', 'rules[1].id',
      'rules[1].id: duplicate rule id "a" (also rules[0].id)'],
    ['a bad rule id', 'rules:\n  - { id: Bad Id, effect: allow }\n', 'rules[0].id', 'expected a rule id'],
    ['the reserved rule id', 'rules:\n  - { id: default-deny, effect: allow }\n', 'rules[0].id', 'reserved'],
    ['an unknown reference', rule('    to: { parent: $fro }\n'), 'rules[0].to.parent', 'unknown reference "$fro"'],
    ['a reference to the same side', rule('    to: { parent: $to }\n'), 'rules[0].to.parent',
      'reference "$to" cannot be used here (to.parent may only use $from)'],
    ['a parent reference in the wrong field', rule('    to: { role: $from.parent }\n'), 'rules[0].to.role', 'to.role takes no reference'],
    ['$from.parent on the from side', rule('    from: { agent: $from.parent }\n'), 'rules[0].from.agent', 'from.agent may only use $to.parent'],
    ['a reference in a list', rule('    to: { parent: [a, $from] }\n'), 'rules[0].to.parent[1]', 'a reference cannot appear in a list'],
    ['an empty selector list', rule('    from: { role: [] }\n'), 'rules[0].from.role', 'expected at least one name'],
    ['an empty methods list', rule('    methods: []\n'), 'rules[0].methods', 'expected at least one method'],
    ['a number for a name', rule('    from: { role: 7 }\n'), 'rules[0].from.role', 'expected a name or a list of names (got 7)'],
    ['a malformed parent', rule('    to: { parent: "a@" }\n'), 'rules[0].to.parent', 'empty name or peer'],
    ['a selector that is not a mapping', rule('    from: planner\n'), 'rules[0].from', 'expected a selector'],
    ['rules that are not a list', 'rules: { id: a }\n', 'rules', 'rules: expected a list of rules'],
    ['a missing rules list', 'tests: []\n', 'rules', 'rules: expected a list of rules (missing)'],
    ['a bad compact principal', 'rules: []\ntests:\n  - { expect: deny, from: "a:b:c:d", to: c:d }\n', 'tests[0].from', 'too many colons'],
    ['a test naming an unknown rule', 'rules: [{ id: a, effect: allow }]\ntests:\n  - { expect: deny, from: a:b, to: c:d, rule: b }\n',
      'tests[0].rule', 'no rule "b" (rules: a, default-deny)'],
    ['groups beside a principal object', 'rules: []\ntests:\n  - { expect: deny, from: { agent: a, role: b }, fromGroups: [x], to: c:d }\n',
      'tests[0].fromGroups', 'only with the compact form'],
    ['a bad expectation', 'rules: []\ntests:\n  - { expect: allowed, from: a:b, to: c:d }\n', 'tests[0].expect', 'expected allow or deny']
  ])('%s', (_, text, path, message) => {
    const err = policyError(() => parsePolicy(text))
    expect(err.path).toBe(path)
    expect(err.message).toContain(message)
    expect(err.message).toMatch(/^invalid policy: /)
  })

  it('refuses a document that is not a mapping', () => {
    expect(policyError(() => parsePolicy('')).message).toContain('expected a policy')
    expect(policyError(() => parsePolicy('- a\n- b\n')).message).toContain('expected a policy')
  })

  it('reports a YAML syntax error with its line', () => {
    const err = policyError(() => parsePolicy('rules:\n  - id: a\n    effect: allow\n    from: { role: a\n  - id: b\n'))
    expect(err.line).toBe(5)
    expect(err.message).toMatch(/^invalid policy: YAML syntax error at line 5, column \d+: /)
  })

  it('reports duplicate YAML keys as a syntax error', () => {
    const err = policyError(() => parsePolicy('rules:\n  - id: a\n    effect: allow\n    effect: deny\n'))
    expect(err.line).toBe(4)
    expect(err.message).toContain('Map keys must be unique')
  })

  it.each([
    ['{"rules": [}', 1],
    ['{\n  "rules": [\n    {"id": "a", "effect": "allow",}\n  ]\n}', 3],
    ['{\n  "rules": [\n', 3],
    ['{\n  "rules": [],\n  "tests": tru\n}', 3]
  ])('reports a JSON syntax error with its line: %j', (text, line) => {
    const err = policyError(() => parsePolicy(text))
    expect(err.line).toBe(line)
    expect(err.message).toMatch(new RegExp(`^invalid policy: JSON syntax error at line ${line}, column \\d+: `))
  })
})

describe('canonicalPolicyJson', () => {
  it('round-trips: parsing the canonical form gives an equal policy', () => {
    for (const text of [YAML_POLICY, examplePolicyYaml, 'rules: []']) {
      const policy = parsePolicy(text)
      const canonical = canonicalPolicyJson(policy)
      expect(parsePolicy(canonical)).toEqual(policy)
      expect(canonicalPolicyJson(parsePolicy(canonical))).toBe(canonical)
    }
  })

  it('does not depend on key order or syntax', () => {
    expect(canonicalPolicyJson(parsePolicy(JSON_POLICY))).toBe(canonicalPolicyJson(parsePolicy(YAML_POLICY)))
  })

  it('is RFC 8785: sorted keys, no white space', () => {
    const canonical = canonicalPolicyJson(parsePolicy('rules:\n  - { id: a, effect: deny, to: { role: x, agent: y } }\n'))
    expect(canonical).toBe('{"rules":[{"effect":"deny","id":"a","to":{"agent":"y","role":"x"}}],"tests":[]}')
  })

  it('differs when the documents differ', () => {
    const a = canonicalPolicyJson(parsePolicy('rules: [{ id: a, effect: allow }, { id: b, effect: allow }]'))
    const b = canonicalPolicyJson(parsePolicy('rules: [{ id: b, effect: allow }, { id: a, effect: allow }]'))
    expect(a).not.toBe(b) // rule order is meaningful (it decides which rule is reported)
  })
})
