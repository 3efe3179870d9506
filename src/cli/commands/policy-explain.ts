import { resolve } from 'node:path'
import { homePaths } from '../../home/index.js'
import { DEFAULT_TEST_METHOD, evaluatePolicy, parsePolicy, parsePrincipalSpec, type Decision, type Principal } from '../../policy/index.js'
import { callApi } from '../api-client.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { readInput } from './trust-support.js'

/** What `policy explain --json` prints. */
interface Explanation {
  from: Principal
  to: Principal
  method: string
  skill?: string
  decision: Decision
  policy: { source: 'daemon', issuer: string, version: number } | { source: 'file', file: string }
}

/** A principal for the offline form. @throws {UsageError} */
function offlinePrincipal (spec: string, label: string, groups: string[]): Principal {
  try {
    return parsePrincipalSpec(spec, { groups })
  } catch (err) {
    const hint = spec.includes(':') ? '' : '; an agent name (name, name@peer) is looked up by the running daemon: leave out --policy to ask it'
    throw new UsageError(`${label}: ${(err as Error).message}${hint}`)
  }
}

/** Checks what the daemon will be asked about, so that bad input is a usage error. @throws {UsageError} */
function checkDaemonSpec (spec: string, label: string): void {
  if (spec.includes(':')) { offlinePrincipal(spec, label, []); return }
  if (spec === '' || /\s/.test(spec) || spec.startsWith('@') || spec.endsWith('@')) {
    throw new UsageError(`${label} "${spec}" is not operator, name, name@peer or NAME:ROLE[:PARENT]`)
  }
}

function checkWord (value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '' || /\s/.test(value)) throw new UsageError(`${flag} "${String(value)}" must be one word, e.g. SendMessage`)
  return value
}

/** `agentmesh policy explain FROM TO`. */
export const policyExplainCommand: Command = {
  name: 'policy explain',
  summary: 'Say whether a call from FROM to TO is allowed, and which rule decided. It asks the running daemon, or decides offline by a policy file (--policy).',
  args: [
    { name: 'FROM', description: 'the caller: operator, name (a local agent), name@peer, or NAME:ROLE[:PARENT]' },
    { name: 'TO', description: 'the callee, in the same forms' }
  ],
  options: {
    method: { type: 'string', short: 'm', valueName: 'M', description: `the A2A method (default ${DEFAULT_TEST_METHOD})` },
    skill: { type: 'string', valueName: 'S', description: 'the skill the call asks for, if any' },
    policy: { type: 'string', valueName: 'FILE', description: 'decide by this policy file, offline (FROM and TO must then be NAME:ROLE[:PARENT] or operator)' },
    'from-group': { type: 'string', multiple: true, valueName: 'G', description: "with --policy: a group of the caller's certificate; repeat for more" },
    'to-group': { type: 'string', multiple: true, valueName: 'G', description: "with --policy: a group of the callee's certificate; repeat for more" }
  },
  json: true,
  details: 'Exit status: 0 if the call is allowed, 1 if it is denied (or the question cannot be answered),\n2 for bad input.\n' +
    'Example:\n  agentmesh policy explain planner:orchestrator search:specialist:planner --policy policy.yaml',
  async run ({ home, io, json, positionals, values }) {
    const [from = '', to = ''] = positionals
    const method = checkWord(values.method, '--method') ?? DEFAULT_TEST_METHOD
    const skill = checkWord(values.skill, '--skill')
    const fromGroups = (values['from-group'] as string[] | undefined) ?? []
    const toGroups = (values['to-group'] as string[] | undefined) ?? []
    let r: Explanation
    if (typeof values.policy === 'string') {
      const file = resolve(values.policy)
      const request = { from: offlinePrincipal(from, 'FROM', fromGroups), to: offlinePrincipal(to, 'TO', toGroups), method, ...(skill !== undefined ? { skill } : {}) }
      const policy = parsePolicy(readInput(file, 'policy').toString('utf8'))
      r = { ...request, decision: evaluatePolicy(policy, request), policy: { source: 'file', file } }
    } else {
      if (fromGroups.length + toGroups.length > 0) throw new UsageError('--from-group and --to-group need --policy; a running daemon takes groups from certificates')
      checkDaemonSpec(from, 'FROM')
      checkDaemonSpec(to, 'TO')
      const a = await callApi(homePaths(home).apiSocket, 'POST', '/v1/policy/explain', { from, to, method, ...(skill !== undefined ? { skill } : {}) }) as Omit<Explanation, 'policy'> & { policy: { issuer: string, version: number } }
      r = { ...a, ...(skill !== undefined ? { skill } : {}), policy: { source: 'daemon', ...a.policy } }
    }
    const code = r.decision.allowed ? 0 : 1
    if (json) { io.stdout(JSON.stringify(r) + '\n'); return code }
    const call = `${from} → ${to} (${method}${skill !== undefined ? `, skill ${skill}` : ''})`
    const source = r.policy.source === 'file' ? r.policy.file : `version ${r.policy.version} of authority ${r.policy.issuer} (the running daemon's)`
    io.stdout(`${r.decision.allowed ? 'ALLOW' : 'DENY'}  ${call}\n  rule:   ${r.decision.rule}\n  reason: ${r.decision.reason}\n  policy: ${source}\n`)
    return code
  }
}
