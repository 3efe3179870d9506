import { describe, expect, it } from 'vitest'
import { DEFAULT_DENY_RULE, evaluatePolicy, parsePolicy } from '../../../src/policy/index.js'
import { call, p } from './helpers.js'

const PEER_A = '12D3KooWGUraEL3WXkxQVyJtvadiE7KX9QUjPvBSzDQQqrWdgr6P'
const PEER_B = '12D3KooWBobBobBobBobBobBobBobBobBobBobBobBobBobBobBob'

describe('evaluatePolicy: default deny', () => {
  it('denies everything when there are no rules, and says so', () => {
    const d = evaluatePolicy(parsePolicy('rules: []'), call('planner:orchestrator', 'search:specialist:planner'))
    expect(d.allowed).toBe(false)
    expect(d.rule).toBe(DEFAULT_DENY_RULE)
    expect(d.reason).toContain('no rule allows orchestrator planner → specialist search for SendMessage (default deny)')
    expect(d.reason).toContain('no allow rules')
  })

  it('denies by default when no allow rule matches', () => {
    const policy = parsePolicy(`
rules:
  - id: ops-only
    effect: allow
    from: { role: ops }
`)
    const d = evaluatePolicy(policy, call('a:dev', 'b:dev'))
    expect(d).toMatchObject({ allowed: false, rule: 'default-deny' })
  })

  it('an allow rule with no selectors allows anyone to call anyone', () => {
    const policy = parsePolicy('rules: [{ id: open, effect: allow }]')
    const d = evaluatePolicy(policy, call('a:x', 'b:y', 'CancelTask', 'whatever'))
    expect(d).toMatchObject({ allowed: true, rule: 'open' })
    expect(d.reason).toBe('allowed by rule "open": from anyone → to anyone')
  })
})

describe('evaluatePolicy: deny wins', () => {
  const allowFirst = `
rules:
  - id: everyone
    effect: allow
  - id: finance-never-public
    effect: deny
    from: { group: finance }
    to: { group: public }
`
  const denyFirst = `
rules:
  - id: finance-never-public
    effect: deny
    from: { group: finance }
    to: { group: public }
  - id: everyone
    effect: allow
`
  const financeToPublic = call(p('a:x', { groups: ['eng', 'finance'] }), p('b:y', { groups: ['public'] }))

  it.each([['allow rule first', allowFirst], ['deny rule first', denyFirst]])('over a matching allow, %s', (_, text) => {
    const d = evaluatePolicy(parsePolicy(text), financeToPublic)
    expect(d.allowed).toBe(false)
    expect(d.rule).toBe('finance-never-public')
    expect(d.reason).toBe('denied by rule "finance-never-public" (deny): from group finance → to group public')
  })

  it('only when it matches: other groups are still allowed', () => {
    const d = evaluatePolicy(parsePolicy(allowFirst), call(p('a:x', { groups: ['finance'] }), p('b:y', { groups: ['internal'] })))
    expect(d).toMatchObject({ allowed: true, rule: 'everyone' })
  })

  it('reports the first matching deny rule in document order', () => {
    const policy = parsePolicy(`
rules:
  - id: all
    effect: allow
  - id: no-finance
    effect: deny
    from: { group: finance }
  - id: no-public
    effect: deny
    to: { group: public }
`)
    expect(evaluatePolicy(policy, financeToPublic).rule).toBe('no-finance')
    expect(evaluatePolicy(policy, call('a:x', p('b:y', { groups: ['public'] }))).rule).toBe('no-public')
  })

  it('a deny rule restricted to methods only denies those methods', () => {
    const policy = parsePolicy(`
rules:
  - id: all
    effect: allow
  - id: no-cancel
    effect: deny
    methods: [CancelTask]
`)
    expect(evaluatePolicy(policy, call('a:x', 'b:y', 'CancelTask'))).toMatchObject({ allowed: false, rule: 'no-cancel' })
    expect(evaluatePolicy(policy, call('a:x', 'b:y', 'CancelTask')).reason).toContain('for method CancelTask')
    expect(evaluatePolicy(policy, call('a:x', 'b:y', 'GetTask'))).toMatchObject({ allowed: true, rule: 'all' })
  })
})

describe('evaluatePolicy: methods and skills', () => {
  const policy = parsePolicy(`
rules:
  - id: read-only
    effect: allow
    from: { role: auditor }
    methods: [GetTask]
  - id: search-skill
    effect: allow
    from: { role: orchestrator }
    skills: [search, fetch]
`)

  it('methods restrict an allow rule', () => {
    expect(evaluatePolicy(policy, call('x:auditor', 'y:any', 'GetTask'))).toMatchObject({ allowed: true, rule: 'read-only' })
    const d = evaluatePolicy(policy, call('x:auditor', 'y:any', 'SendMessage'))
    expect(d).toMatchObject({ allowed: false, rule: 'default-deny' })
    expect(d.reason).toContain('closest: rule "read-only" did not match: method SendMessage is not GetTask')
  })

  it('skills restrict an allow rule, and a call without a skill never matches one', () => {
    expect(evaluatePolicy(policy, call('o:orchestrator', 'y:any', 'SendMessage', 'fetch'))).toMatchObject({ allowed: true, rule: 'search-skill' })
    expect(evaluatePolicy(policy, call('o:orchestrator', 'y:any', 'SendMessage', 'write')).allowed).toBe(false)
    const d = evaluatePolicy(policy, call('o:orchestrator', 'y:any', 'SendMessage'))
    expect(d.allowed).toBe(false)
    expect(d.reason).toContain('the call names no skill (needs one of search, fetch)')
  })

  it('names the method and skill that matched', () => {
    expect(evaluatePolicy(policy, call('o:orchestrator', 'y:any', 'SendMessage', 'search')).reason)
      .toBe('allowed by rule "search-skill": from role orchestrator → to anyone for skill search')
  })
})

describe('evaluatePolicy: parent references', () => {
  const ownSpecialists = parsePolicy(`
rules:
  - id: own
    effect: allow
    from: { role: orchestrator }
    to: { role: specialist, parent: $from }
`)

  it('to.parent: $from matches the caller by name', () => {
    expect(evaluatePolicy(ownSpecialists, call('planner:orchestrator', 'search:specialist:planner')).allowed).toBe(true)
    const d = evaluatePolicy(ownSpecialists, call('planner:orchestrator', 'search:specialist:boss'))
    expect(d.allowed).toBe(false)
    expect(d.reason).toContain('to.parent is boss, not the caller (planner)')
  })

  it('a parent without @peer matches the name on any peer', () => {
    const from = p('planner:orchestrator', { peer: PEER_A })
    const to = p('search:specialist:planner', { peer: PEER_B })
    expect(evaluatePolicy(ownSpecialists, call(from, to)).allowed).toBe(true)
  })

  it('a parent with @peer matches only the caller on that peer', () => {
    const to = p(`search:specialist:planner@${PEER_A}`, { peer: PEER_B })
    expect(evaluatePolicy(ownSpecialists, call(p('planner:orchestrator', { peer: PEER_A }), to)).allowed).toBe(true)
    const namesake = evaluatePolicy(ownSpecialists, call(p('planner:orchestrator', { peer: PEER_B }), to))
    expect(namesake.allowed).toBe(false)
    expect(namesake.reason).toContain(`to.parent is planner@${PEER_A}, not the caller (planner@…${PEER_B.slice(-6)})`)
  })

  it('a principal with no parent never matches a parent selector', () => {
    const d = evaluatePolicy(ownSpecialists, call('planner:orchestrator', 'search:specialist'))
    expect(d.allowed).toBe(false)
    expect(d.reason).toContain('to has no parent')
    const literal = parsePolicy('rules: [{ id: r, effect: allow, to: { parent: [a, b] } }]')
    expect(evaluatePolicy(literal, call('x:y', 'search:specialist')).allowed).toBe(false)
  })

  it('agent: $from.parent matches the agent the caller reports to', () => {
    const reportBack = parsePolicy(`
rules:
  - id: report
    effect: allow
    from: { role: specialist }
    to: { agent: $from.parent }
`)
    expect(evaluatePolicy(reportBack, call('search:specialist:planner', 'planner:orchestrator')).allowed).toBe(true)
    expect(evaluatePolicy(reportBack, call('search:specialist:planner', 'writer:specialist:planner')).allowed).toBe(false)
    expect(evaluatePolicy(reportBack, call('search:specialist', 'planner:orchestrator')).reason)
      .toContain("to.agent must be the caller's parent, but the caller has none")
    // With @peer, the peer must match too.
    const from = p(`search:specialist:planner@${PEER_A}`, { peer: PEER_B })
    expect(evaluatePolicy(reportBack, call(from, p('planner:orchestrator', { peer: PEER_A }))).allowed).toBe(true)
    expect(evaluatePolicy(reportBack, call(from, p('planner:orchestrator', { peer: PEER_B }))).allowed).toBe(false)
  })

  it('references work from the from side too: $to and $to.parent', () => {
    const policy = parsePolicy(`
rules:
  - id: child-to-parent
    effect: allow
    from: { parent: $to }
  - id: parent-of-callee
    effect: allow
    from: { agent: $to.parent }
    methods: [GetTask]
`)
    expect(evaluatePolicy(policy, call('search:specialist:planner', 'planner:orchestrator')).rule).toBe('child-to-parent')
    expect(evaluatePolicy(policy, call('planner:orchestrator', 'search:specialist:planner', 'GetTask')).rule).toBe('parent-of-callee')
    expect(evaluatePolicy(policy, call('planner:orchestrator', 'search:specialist:planner', 'SendMessage')).allowed).toBe(false)
    expect(evaluatePolicy(policy, call('other:orchestrator', 'search:specialist:planner', 'GetTask')).allowed).toBe(false)
  })

  it('literal parents: name matches any peer, name@peer only that peer', () => {
    const policy = parsePolicy(`
rules:
  - id: any-planner
    effect: allow
    to: { parent: planner }
    methods: [GetTask]
  - id: planner-on-a
    effect: allow
    to: { parent: planner@${PEER_A} }
    methods: [CancelTask]
`)
    expect(evaluatePolicy(policy, call('x:y', `s:specialist:planner@${PEER_B}`, 'GetTask')).allowed).toBe(true)
    expect(evaluatePolicy(policy, call('x:y', `s:specialist:planner@${PEER_A}`, 'CancelTask')).allowed).toBe(true)
    expect(evaluatePolicy(policy, call('x:y', `s:specialist:planner@${PEER_B}`, 'CancelTask')).allowed).toBe(false)
    expect(evaluatePolicy(policy, call('x:y', 's:specialist:planner', 'CancelTask')).allowed).toBe(false)
  })
})

describe('evaluatePolicy: selectors', () => {
  const policy = parsePolicy(`
rules:
  - id: named
    effect: allow
    from: { agent: [alice, bob], role: [dev, ops], peer: ${PEER_A} }
    to: { group: [eng, data] }
`)
  const alice = (extra: { peer?: string, groups?: string[] } = {}): ReturnType<typeof p> => p('alice:dev', { peer: PEER_A, ...extra })

  it('every field given must match; lists match any of their names', () => {
    expect(evaluatePolicy(policy, call(alice(), p('t:x', { groups: ['data'] }))).allowed).toBe(true)
    expect(evaluatePolicy(policy, call(p('bob:ops', { peer: PEER_A }), p('t:x', { groups: ['ops', 'eng'] }))).allowed).toBe(true)
    expect(evaluatePolicy(policy, call(p('carol:dev', { peer: PEER_A }), p('t:x', { groups: ['eng'] }))).allowed).toBe(false)
    expect(evaluatePolicy(policy, call(p('alice:qa', { peer: PEER_A }), p('t:x', { groups: ['eng'] }))).allowed).toBe(false)
    expect(evaluatePolicy(policy, call(alice({ peer: PEER_B }), p('t:x', { groups: ['eng'] }))).allowed).toBe(false)
    expect(evaluatePolicy(policy, call(alice(), p('t:x', { groups: ['sales'] }))).allowed).toBe(false)
  })

  it('explains the closest miss field by field', () => {
    const d = evaluatePolicy(policy, call(p('carol:qa', { peer: PEER_A }), p('t:x')))
    expect(d.reason).toBe(
      'no rule allows qa carol@…' + PEER_A.slice(-6) + ' → x t for SendMessage (default deny); ' +
      'closest: rule "named" did not match: from.agent is carol, not one of alice, bob; ' +
      'from.role is qa, not one of dev, ops; to is in none of the groups eng, data (its groups: none)'
    )
  })

  it('gives no closest rule when no allow rule matched even in part', () => {
    const d = evaluatePolicy(policy, call(p('carol:qa', { peer: PEER_B }), p('t:x')))
    expect(d.reason).toMatch(/\(default deny\)$/)
  })
})
