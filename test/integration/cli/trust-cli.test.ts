import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanup, runCli, startDaemon, tempHome, type TestDaemon } from '../../helpers/daemon.js'

const COMMANDS = ['authority init', 'cert issue', 'join', 'cert show', 'cert revoke', 'policy check', 'policy explain', 'policy push', 'policy example']

/** The example policy with its last test's expectation turned around (operator → specialist: allow). */
function withWrongExpectation (example: string): string {
  const at = example.lastIndexOf('- expect: deny')
  expect(at).toBeGreaterThan(0)
  return example.slice(0, at) + '- expect: allow' + example.slice(at + '- expect: deny'.length)
}

describe('the trust commands of the command line', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'am-trust-cli-'))
  const authority = join(scratch, 'authority')
  const homes: string[] = []
  const running: TestDaemon[] = []
  const home = (): string => { const h = tempHome(); homes.push(h); return h }
  let authorityId = ''
  let example = ''

  /** A new home and its peer ID. */
  async function initHome (): Promise<{ home: string, peerId: string }> {
    const h = home()
    const r = await runCli(['init', '--home', h, '--json'])
    expect(r.code, r.stderr).toBe(0)
    return { home: h, peerId: JSON.parse(r.stdout).peerId }
  }

  /** `cert issue` for `peer`; returns the parsed --json answer. */
  async function issue (peer: string, out: string, agents = ['planner:orchestrator', 'search:specialist:planner']): Promise<any> {
    const r = await runCli(['cert', 'issue', '--authority', authority, '--peer', peer, ...agents.flatMap((a) => ['--agent', a]), '--group', 'research', '--valid-for', '2h', '--out', out, '--json'])
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout)
  }

  beforeAll(async () => {
    const [init, ex] = await Promise.all([
      runCli(['authority', 'init', '--authority', authority, '--json']),
      runCli(['policy', 'example'])
    ])
    expect(init.code, init.stderr).toBe(0)
    const created = JSON.parse(init.stdout)
    expect(created).toMatchObject({ dir: authority, created: true })
    authorityId = created.authority
    expect(ex.code).toBe(0)
    example = ex.stdout
    writeFileSync(join(scratch, 'example.yaml'), example)
  })

  afterAll(async () => {
    await cleanup(running)
    for (const h of [...homes, scratch]) rmSync(h, { recursive: true, force: true })
  })

  it.concurrent.each(COMMANDS)('`%s --help` prints usage and exits 0', async (cmd) => {
    const r = await runCli([...cmd.split(' '), '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Usage: agentmesh ${cmd}`)
  })

  it('authority init keeps an existing authority and refuses a folder inside a daemon home', async () => {
    const [again, human, inside] = await Promise.all([
      runCli(['authority', 'init', '--json'], { env: { AGENTMESH_AUTHORITY: authority } }),
      runCli(['authority', 'init', '--authority', authority]),
      initHome().then(async ({ home }) => runCli(['authority', 'init', '--authority', join(home, 'ca')]))
    ])
    expect(JSON.parse(again.stdout)).toEqual(expect.objectContaining({ authority: authorityId, dir: authority, created: false }))
    expect(human.stdout).toContain(`kept existing authority ${authorityId}`)
    expect(human.stdout).toContain('agentmesh cert issue')
    expect(inside.code).toBe(1)
    expect(inside.stderr).toContain('AUTHORITY_IN_HOME')
  })

  it('issues a bundle, joins it into a fresh home and shows the certificate without a daemon', async () => {
    const { home, peerId } = await initHome()
    const bundle = join(scratch, 'host.bundle')
    const issued = await issue(peerId, bundle)
    expect(issued).toMatchObject({ issuer: authorityId, subject: peerId, groups: ['research'], agents: [{ name: 'planner', role: 'orchestrator', parent: null }, { name: 'search', role: 'specialist', parent: 'planner' }] })
    expect(Date.parse(issued.notAfter) - Date.now()).toBeGreaterThan(2 * 3600_000 - 120_000)
    expect(statSync(bundle).mode & 0o777).toBe(0o600)

    const [overwrite, described] = await Promise.all([
      runCli(['cert', 'issue', '--authority', authority, '--peer', peerId, '--agent', 'a:b', '--out', bundle]),
      runCli(['cert', 'show', '--bundle', bundle, '--json'])
    ])
    expect(overwrite.code).toBe(1)
    expect(overwrite.stderr).toContain('--force')
    expect(JSON.parse(described.stdout)).toMatchObject({ source: 'bundle', authority: authorityId, certificate: { serial: issued.serial }, hasPolicy: true })

    const joined = await runCli(['join', bundle, '--home', home, '--json'])
    expect(joined.code, joined.stderr).toBe(0)
    expect(JSON.parse(joined.stdout)).toMatchObject({ daemon: 'not-running', certificate: { serial: issued.serial, subject: peerId } })

    const [human, json] = await Promise.all([runCli(['cert', 'show', '--home', home]), runCli(['cert', 'show', '--home', home, '--json'])])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toContain(`certificate ${issued.serial}`)
    expect(human.stdout).toContain('search:specialist:planner')
    expect(human.stdout).toMatch(/status:\s+valid/)
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({ source: 'home', problem: null, certificate: { serial: issued.serial, subject: peerId, issuer: authorityId } })
  })

  it('says there is no certificate (exit 1) in a home that has not joined', async () => {
    const { home } = await initHome()
    const r = await runCli(['cert', 'show', '--home', home])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('NO_CERTIFICATE')
  })

  it('refuses a bundle issued for another peer, naming both peer IDs', async () => {
    const [a, b] = await Promise.all([initHome(), initHome()])
    const bundle = join(scratch, 'for-a.bundle')
    await issue(a.peerId, bundle)
    const r = await runCli(['join', bundle, '--home', b.home])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(a.peerId)
    expect(r.stderr).toContain(b.peerId)
    expect(r.stderr).toContain('WRONG_SUBJECT')
    expect((await runCli(['cert', 'show', '--home', b.home])).code).toBe(1)
  })

  it('rejects bad --agent, --valid-for and --peer values with a usage error and signs nothing', async () => {
    const { peerId } = await initHome()
    const out = join(scratch, 'never.bundle')
    const base = ['cert', 'issue', '--authority', authority, '--out', out]
    const [agent, validFor, peer] = await Promise.all([
      runCli([...base, '--peer', peerId, '--agent', 'planner']),
      runCli([...base, '--peer', peerId, '--agent', 'planner:orchestrator', '--valid-for', '3 weeks']),
      runCli([...base, '--peer', 'not-a-peer', '--agent', 'planner:orchestrator'])
    ])
    expect(agent.code).toBe(2)
    expect(agent.stderr).toContain('"planner" is not NAME:ROLE[:PARENT]')
    expect(validFor.code).toBe(2)
    expect(validFor.stderr).toContain('--valid-for "3 weeks" is not a duration')
    expect(peer.code).toBe(2)
    expect(peer.stderr).toContain('--peer "not-a-peer" is not a peer ID')
    expect(() => statSync(out)).toThrow()
  })

  it('policy check passes the example policy and names a failing embedded test', async () => {
    const bad = join(scratch, 'bad.yaml')
    writeFileSync(bad, withWrongExpectation(example))
    const [good, failing, json] = await Promise.all([
      runCli(['policy', 'check', join(scratch, 'example.yaml')]),
      runCli(['policy', 'check', bad]),
      runCli(['policy', 'check', bad, '--json'])
    ])
    expect(good.code, good.stdout + good.stderr).toBe(0)
    expect(good.stdout).toMatch(/all \d+ embedded tests pass/)
    expect(failing.code).toBe(1)
    expect(failing.stdout).toContain('FAIL tests[15]: operator → search:specialist:planner (SendMessage)')
    expect(failing.stdout).toContain('expected allow')
    expect(failing.stdout).toContain('got      deny by rule default-deny')
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, failures: [{ index: 15, expected: 'allow', got: { allowed: false, rule: 'default-deny' } }] })
  })

  it('policy check exits 1 on a policy that does not validate, naming the place', async () => {
    const broken = join(scratch, 'broken.yaml')
    writeFileSync(broken, 'rules:\n  - id: x\n    effect: alow\n')
    const r = await runCli(['policy', 'check', broken])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('rules[0].effect')
  })

  it('policy explain decides offline with --policy: 0 for allow, 1 for deny, 2 for bad input', async () => {
    const policy = join(scratch, 'example.yaml')
    const [allow, deny, groups, bad] = await Promise.all([
      runCli(['policy', 'explain', 'planner:orchestrator', 'search:specialist:planner', '--policy', policy]),
      runCli(['policy', 'explain', 'search:specialist:planner', 'writer:specialist:planner', '--policy', policy, '--json']),
      runCli(['policy', 'explain', 'accountant:orchestrator', 'ledger:specialist:accountant', '--from-group', 'finance', '--to-group', 'public', '--policy', policy]),
      runCli(['policy', 'explain', 'planner', 'search:specialist:planner', '--policy', policy])
    ])
    expect(allow.code, allow.stderr).toBe(0)
    expect(allow.stdout).toMatch(/^ALLOW/)
    expect(allow.stdout).toContain('orchestrator-calls-own-specialists')
    expect(deny.code).toBe(1)
    expect(JSON.parse(deny.stdout)).toMatchObject({ method: 'SendMessage', decision: { allowed: false, rule: 'default-deny' } })
    expect(groups.code).toBe(1)
    expect(groups.stdout).toMatch(/^DENY/)
    expect(groups.stdout).toContain('finance-never-public')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('"planner"')
  })

  it('join takes effect on a running closed-mesh daemon without a restart; push and revoke reach it', async () => {
    const daemon = await startDaemon({ closed: true })
    running.push(daemon)
    const before = await daemon.api('GET', '/v1/trust')
    expect(before.body).toMatchObject({ mode: 'closed', certificate: null })

    const bundle = join(scratch, 'daemon.bundle')
    const issued = await issue(daemon.peerId, bundle)
    const joined = await daemon.cli(['join', bundle, '--json'])
    expect(joined.code, joined.stderr).toBe(0)
    expect(JSON.parse(joined.stdout)).toMatchObject({ daemon: 'reloaded', problem: null })

    const after = await daemon.api('GET', '/v1/trust')
    expect(after.body).toMatchObject({ certificate: { serial: issued.serial, issuer: authorityId }, problem: null, authorities: [authorityId] })
    const shown = await daemon.cli(['cert', 'show', '--json'])
    expect(JSON.parse(shown.stdout)).toMatchObject({ source: 'daemon', mode: 'closed', certificate: { serial: issued.serial, subject: daemon.peerId } })

    const explained = await daemon.cli(['policy', 'explain', 'operator', 'planner', '--json'])
    expect(explained.code, explained.stderr).toBe(0)
    expect(JSON.parse(explained.stdout)).toMatchObject({ decision: { allowed: true, rule: 'operator-calls-orchestrators' }, policy: { source: 'daemon', issuer: authorityId } })

    const version = after.body.policy.version as number
    const pushed = await daemon.cli(['policy', 'push', join(scratch, 'example.yaml'), '--authority', authority, '--json'])
    expect(pushed.code, pushed.stderr).toBe(0)
    expect(JSON.parse(pushed.stdout)).toMatchObject({ daemon: 'installed' })
    expect((await daemon.api('GET', '/v1/trust')).body.policy.version).toBeGreaterThan(version)

    const revoked = await daemon.cli(['cert', 'revoke', '--authority', authority, '--serial', String(issued.serial), '--json'])
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(JSON.parse(revoked.stdout)).toMatchObject({ daemon: 'installed', revoked: expect.arrayContaining([issued.serial]) })
    expect((await daemon.api('GET', '/v1/trust')).body.problem).toMatchObject({ code: 'REVOKED' })
  })
})
