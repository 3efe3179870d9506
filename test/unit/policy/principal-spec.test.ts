import { describe, expect, it } from 'vitest'
import { OPERATOR, PolicyError, parsePrincipalSpec } from '../../../src/policy/index.js'
import { thrown } from './helpers.js'

describe('parsePrincipalSpec', () => {
  it('parses NAME:ROLE', () => {
    expect(parsePrincipalSpec('planner:orchestrator')).toEqual({ agent: 'planner', role: 'orchestrator', parent: null, groups: [], peer: '' })
  })

  it('parses NAME:ROLE:PARENT, with or without @peer', () => {
    expect(parsePrincipalSpec('search:specialist:planner').parent).toBe('planner')
    expect(parsePrincipalSpec('search:specialist:planner@12D3KooWx').parent).toBe('planner@12D3KooWx')
  })

  it('takes groups and peer from extra, copying the groups', () => {
    const groups = ['finance']
    const principal = parsePrincipalSpec('a:b', { groups, peer: '12D3KooWx' })
    expect(principal).toEqual({ agent: 'a', role: 'b', parent: null, groups: ['finance'], peer: '12D3KooWx' })
    principal.groups.push('public')
    expect(groups).toEqual(['finance'])
  })

  it('gives the operator for the bare spec operator', () => {
    expect(parsePrincipalSpec('operator', { peer: 'p' })).toEqual({ agent: OPERATOR, role: OPERATOR, parent: null, groups: [], peer: 'p' })
  })

  it.each([
    ['', 'expected NAME:ROLE[:PARENT] or operator'],
    ['planner', 'expected NAME:ROLE[:PARENT] or operator'],
    [':orchestrator', 'NAME is empty'],
    ['planner:', 'ROLE is empty'],
    ['search:specialist:', 'PARENT is empty'],
    ['a:b:c:d', 'too many colons'],
    ['a b:c', 'contains white space'],
    ['a:b:c@', 'empty name or peer'],
    ['a:b:c@d@e', 'more than one @']
  ])('refuses %j', (spec, message) => {
    const err = thrown(() => parsePrincipalSpec(spec))
    expect(err).toBeInstanceOf(PolicyError)
    expect((err as PolicyError).code).toBe('INVALID_PRINCIPAL')
    expect((err as PolicyError).message.startsWith(`invalid principal "${spec}": `)).toBe(true)
    expect((err as PolicyError).message).toContain(message)
  })
})
