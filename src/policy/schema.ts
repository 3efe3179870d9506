import { z } from 'zod'
import {
  DEFAULT_DENY_RULE, FROM_REFERENCES, REFERENCES, RULE_ID_PATTERN, SELECTOR_KEYS, TO_REFERENCES
} from './constants.js'
import { PolicyError } from './errors.js'
import { parentProblem, parsePrincipalSpec } from './principal-spec.js'

type Side = 'from' | 'to' | 'origin'

/** A strict object: a misspelt key is an error that lists the keys there are. */
function strict<S extends z.ZodRawShape> (shape: S, what: string): z.ZodObject<S, z.core.$strict> {
  const known = Object.keys(shape).join(', ')
  return z.strictObject(shape, {
    error: (issue) => issue.code === 'unrecognized_keys' ? `no such key (known: ${known})` : `expected ${what}`
  })
}

function text (what: string): z.ZodString {
  return z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}, not an empty string` })
}

function textList (what: string, hint: string): z.ZodArray<z.ZodString> {
  return z.array(text(what), { error: `expected a list of ${what}s` })
    .min(1, { error: `expected at least one ${what} (${hint})` })
}

/**
 * A selector value: a name or a non-empty list of names, or (for `parent` and
 * `agent`) the one reference that names the other side of the call.
 */
function selectorValue (side: Side, key: typeof SELECTOR_KEYS[number]): z.ZodType<string | string[]> {
  const refs: Partial<Record<string, string>> = side === 'to' ? TO_REFERENCES : side === 'from' ? FROM_REFERENCES : {}
  const allowed = refs[key]
  return z.union([z.string(), z.array(z.string())], { error: `expected a name or a list of names` })
    .superRefine((value, ctx) => {
      if (Array.isArray(value)) {
        if (value.length === 0) ctx.addIssue({ code: 'custom', message: 'expected at least one name (omit the key to match anyone)' })
        value.forEach((item, i) => {
          const problem = item.startsWith('$')
            ? `a reference cannot appear in a list (got "${item}")`
            : nameProblem(key, item)
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: [i] })
        })
        return
      }
      const problem = value.startsWith('$') ? referenceProblem(side, key, value, allowed) : nameProblem(key, value)
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
    })
}

function nameProblem (key: string, value: string): string | undefined {
  if (value === '') return 'expected a name, not an empty string'
  return key === 'parent' ? parentProblem(value) : undefined
}

function referenceProblem (side: Side, key: string, value: string, allowed: string | undefined): string | undefined {
  if (value === allowed) return undefined
  const here = allowed === undefined ? `${side}.${key} takes no reference` : `${side}.${key} may only use ${allowed}`
  if ((REFERENCES as readonly string[]).includes(value)) return `reference "${value}" cannot be used here (${here})`
  return `unknown reference "${value}" (${here}; references: ${REFERENCES.join(', ')})`
}

function selector (side: Side) {
  return strict({
    agent: selectorValue(side, 'agent').optional(),
    role: selectorValue(side, 'role').optional(),
    group: selectorValue(side, 'group').optional(),
    peer: selectorValue(side, 'peer').optional(),
    parent: selectorValue(side, 'parent').optional()
  } satisfies Record<typeof SELECTOR_KEYS[number], unknown>, 'a selector such as { role: specialist }')
}

const ruleSchema = strict({
  id: z.string({ error: 'expected a rule id' }).regex(RULE_ID_PATTERN, {
    error: 'expected a rule id of lower-case letters, digits, ".", "_" and "-", starting with a letter or digit'
  }).refine((id) => id !== DEFAULT_DENY_RULE, { error: `"${DEFAULT_DENY_RULE}" is reserved for the default decision` }),
  effect: z.enum(['allow', 'deny'], { error: 'expected allow or deny' }),
  description: z.string({ error: 'expected a description' }).optional(),
  from: selector('from').optional(),
  to: selector('to').optional(),
  methods: textList('method', 'omit the key to match any method').optional(),
  skills: textList('skill', 'omit the key to match any skill').optional(),
  origin: selector('origin').optional()
}, 'a rule with id and effect')

const testPrincipalSchema = strict({
  agent: text('an agent name'),
  role: text('a role'),
  parent: z.string({ error: 'expected a parent (name or name@peer) or null' })
    .refine((p) => parentProblem(p) === undefined, { error: 'expected a parent: name or name@peer' })
    .nullable().optional(),
  groups: z.array(text('a group'), { error: 'expected a list of groups' }).optional(),
  peer: z.string({ error: 'expected a peer ID' }).optional()
}, 'a principal { agent, role, parent?, groups?, peer? }')

const principalInput = z.union([
  z.string().superRefine((spec, ctx) => {
    try {
      parsePrincipalSpec(spec)
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err
      ctx.addIssue({ code: 'custom', message: err.message })
    }
  }),
  testPrincipalSchema
], { error: 'expected NAME:ROLE[:PARENT], operator, or { agent, role, parent?, groups?, peer? }' })

const testSchema = strict({
  expect: z.enum(['allow', 'deny'], { error: 'expected allow or deny' }),
  from: principalInput,
  to: principalInput,
  method: text('an A2A method').optional(),
  skill: text('a skill').optional(),
  fromGroups: z.array(text('a group'), { error: 'expected a list of groups' }).optional(),
  toGroups: z.array(text('a group'), { error: 'expected a list of groups' }).optional(),
  origin: principalInput.optional(),
  rule: text('a rule id').optional()
}, 'a test with expect, from and to').superRefine((test, ctx) => {
  for (const side of ['from', 'to'] as const) {
    if (typeof test[side] !== 'string' && test[`${side}Groups`] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [`${side}Groups`],
        message: `only with the compact form of ${side}; put groups in the ${side} object`
      })
    }
  }
})

/** The policy document, JSON or YAML: rules in order, then embedded tests. */
export const policySchema = strict({
  rules: z.array(ruleSchema, { error: 'expected a list of rules' }),
  tests: z.array(testSchema, { error: 'expected a list of tests' }).default([])
}, 'a policy: a mapping with rules and optional tests').superRefine((doc, ctx) => {
  const first = new Map<string, number>()
  doc.rules.forEach((rule, i) => {
    const seen = first.get(rule.id)
    if (seen !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}" (also rules[${seen}].id)` })
    } else {
      first.set(rule.id, i)
    }
  })
  doc.tests.forEach((test, i) => {
    if (test.rule !== undefined && test.rule !== DEFAULT_DENY_RULE && !first.has(test.rule)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tests', i, 'rule'],
        message: `no rule "${test.rule}" (rules: ${[...first.keys(), DEFAULT_DENY_RULE].join(', ')})`
      })
    }
  })
})
