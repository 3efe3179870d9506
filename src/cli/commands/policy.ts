import { resolve } from 'node:path'
import { hasCode } from '../../errors.js'
import { examplePolicyYaml, parsePolicy, PolicyError, runPolicyTests, type PolicyTestFailure } from '../../policy/index.js'
import { authorityPaths, loadAuthority, publishPolicy, TrustError } from '../../trust/index.js'
import type { Command } from '../command.js'
import { AUTHORITY_OPTION, callDaemonIfRunning, readInput, refusedByDaemon, resolveAuthority } from './trust-support.js'

/** One failed embedded test, as `policy check` prints it. */
function failureText (f: PolicyTestFailure): string {
  const expected = `${f.expected}${f.wrongRule !== undefined ? ` by rule ${f.wrongRule}` : ''}`
  const got = `${f.got.allowed ? 'allow' : 'deny'} by rule ${f.got.rule}`
  return `FAIL tests[${f.index}]: ${f.test}\n  expected ${expected}\n  got      ${got}: ${f.got.reason}\n`
}

/** `agentmesh policy check FILE`. */
export const policyCheckCommand: Command = {
  name: 'policy check',
  summary: 'Validate a hierarchy policy (JSON or YAML) and run its embedded tests. Needs no daemon.',
  args: [{ name: 'FILE', description: 'the policy document' }],
  json: true,
  details: 'Exits 0 when the policy is valid and every embedded test passes, 1 otherwise.\nStart from the example: agentmesh policy example > policy.yaml',
  async run ({ io, json, positionals }) {
    const file = resolve(positionals[0] ?? '')
    const text = readInput(file, 'policy').toString('utf8')
    let policy
    try {
      policy = parsePolicy(text)
    } catch (err) {
      if (!json || !(err instanceof PolicyError)) throw err
      io.stdout(JSON.stringify({ file, valid: false, error: { code: err.code, message: err.message, path: err.path, line: err.line ?? null } }) + '\n')
      return 1
    }
    const report = runPolicyTests(policy)
    if (json) {
      io.stdout(JSON.stringify({ file, valid: true, rules: policy.rules.length, ...report }, null, 2) + '\n')
      return report.failures.length === 0 ? 0 : 1
    }
    for (const f of report.failures) io.stdout(failureText(f))
    const tests = report.total === 0
      ? 'no embedded tests (add some under "tests:" to pin down what the policy must allow and deny)'
      : report.failures.length === 0 ? `all ${report.total} embedded tests pass` : `${report.failures.length} of ${report.total} embedded tests FAIL`
    io.stdout(`${file}: ${policy.rules.length} rules; ${tests}\n`)
    return report.failures.length === 0 ? 0 : 1
  }
}

/** `agentmesh policy push FILE`. */
export const policyPushCommand: Command = {
  name: 'policy push',
  summary: "Sign a hierarchy policy and spread it through the mesh. The authority signs it as its next release; this home's running daemon takes it and passes it on to its peers.",
  args: [{ name: 'FILE', description: 'the policy document (JSON or YAML)' }],
  options: { authority: AUTHORITY_OPTION },
  json: true,
  details: 'A policy that does not parse or whose embedded tests fail is refused and nothing is signed.\n' +
    'Without a running daemon the release is kept in the authority folder; it spreads once pushed\nto any running daemon of the mesh (run this command again with --home of one).',
  async run ({ home, io, json, positionals, values }) {
    const file = resolve(positionals[0] ?? '')
    const text = readInput(file, 'policy').toString('utf8')
    const authority = loadAuthority(resolveAuthority(values.authority, io.env))
    let signed: Uint8Array
    try {
      signed = publishPolicy(authority, text, Date.now())
    } catch (err) {
      if (!hasCode(err, 'POLICY_TESTS_FAILED')) throw err
      throw new TrustError('POLICY_TESTS_FAILED', `${(err as Error).message}. Nothing was signed; see every failure with: agentmesh policy check ${file}`, { cause: err })
    }
    const version = authority.state.policyVersion
    const saved = authorityPaths(authority.dir).policy
    let answer: { taken: number } | undefined
    try {
      answer = await callDaemonIfRunning(home, 'POST', '/v1/trust/documents', { policies: [Buffer.from(signed).toString('base64')] })
    } catch (err) {
      throw refusedByDaemon(err, `policy version ${version} is signed (${saved})`, home)
    }
    const daemon = answer == null ? 'not-running' : answer.taken > 0 ? 'installed' : 'already-held'
    if (json) { io.stdout(JSON.stringify({ version, issuer: authority.id, file: saved, home, daemon }) + '\n'); return 0 }
    io.stdout(`signed policy version ${version} of authority ${authority.id}: ${saved}\n`)
    if (daemon === 'installed') io.stdout(`installed on the running daemon of ${home}; it spreads to the mesh from there\n`)
    else if (daemon === 'already-held') io.stdout(`the running daemon of ${home} already holds this version or a newer one\n`)
    else io.stdout(`no daemon is running on ${home}: the policy spreads once pushed to any running daemon of the mesh (run this again with --home of one)\n`)
    return 0
  }
}

/** `agentmesh policy example`. */
export const policyExampleCommand: Command = {
  name: 'policy example',
  summary: 'Print an example hierarchy policy (YAML, commented, with embedded tests) to start from.',
  details: 'Example:\n  agentmesh policy example > policy.yaml && agentmesh policy check policy.yaml',
  async run ({ io }) {
    io.stdout(examplePolicyYaml)
    return 0
  }
}
