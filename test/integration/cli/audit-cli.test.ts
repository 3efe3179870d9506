import { cpSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuditLog, type AuditRecord } from '../../../src/audit/index.js'
import { createSigner } from '../../../src/envelope/index.js'
import { homePaths, initHome } from '../../../src/home/index.js'
import { loadIdentityKey } from '../../../src/identity/index.js'
import { openDatabase } from '../../../src/store/index.js'
import { runCli, tempHome } from '../../helpers/daemon.js'

const COMMANDS = ['audit query', 'audit verify', 'audit export']
const HOUR = 3_600_000

describe('the audit commands of the command line', () => {
  const homes: string[] = []
  const newHome = (): string => { const h = tempHome(); homes.push(h); return h }
  let home = ''
  let peerId = ''
  const now = Date.now()

  // A home whose daemon decided 12 things: 6 two days ago, 6 ten minutes ago.
  beforeAll(async () => {
    home = newHome()
    const { paths } = await initHome(home)
    const signer = createSigner(loadIdentityKey(paths.identityKey))
    peerId = signer.peerId
    const db = openDatabase(paths.database)
    let t = now - 48 * HOUR
    const audit = new AuditLog({ db, signer, now: () => t, checkpointEvery: 4 })
    const decisions = [
      { decision: 'sent', fromAgent: 'planner', toAgent: 'search', toPeer: peerId },
      { decision: 'delivered', fromAgent: 'planner', fromPeer: peerId, toAgent: 'search', rule: 'parent-calls-child', chain: [{ signer: peerId, agent: 'operator', audience: 'planner' }, { signer: peerId, agent: 'planner', audience: 'search' }] },
      { decision: 'denied', reason: 'POLICY_DENIED', rule: 'no-siblings', fromAgent: 'search', fromPeer: peerId, toAgent: 'writer', detail: 'siblings may not call each other' }
    ]
    for (let i = 0; i < 12; i++) {
      if (i === 6) t = now - 10 * 60_000
      t += 1000
      audit.append(decisions[i % 3] as (typeof decisions)[number])
    }
    audit.stop()
    db.close()
  })

  afterAll(() => { for (const h of homes) rmSync(h, { recursive: true, force: true }) })

  const query = async (...args: string[]): Promise<AuditRecord[]> => {
    const r = await runCli(['audit', 'query', '--home', home, '--json', ...args])
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout) as AuditRecord[]
  }

  it.each(COMMANDS)('`%s --help` prints usage and exits 0', async (cmd) => {
    const r = await runCli([...cmd.split(' '), '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Usage: agentmesh ${cmd}`)
    expect(r.stdout).toContain('--json')
  })

  it('query filters by decision, agent, time and count', async () => {
    expect((await query()).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect((await query('--decision', 'denied')).map((r) => r.seq)).toEqual([3, 6, 9, 12])
    expect((await query('--agent', 'writer', '--since', '1h')).map((r) => r.seq)).toEqual([9, 12])
    expect((await query('--since', new Date(now - HOUR).toISOString())).map((r) => r.seq)).toEqual([7, 8, 9, 10, 11, 12])
    expect((await query('--since', '3d', '--limit', '2')).map((r) => r.seq)).toEqual([11, 12])
    const [denied] = await query('--decision', 'denied', '--limit', '1')
    expect(denied).toMatchObject({ seq: 12, decision: 'denied', reason: 'POLICY_DENIED', rule: 'no-siblings', fromAgent: 'search', toAgent: 'writer' })
  })

  it('query prints one line per record', async () => {
    const r = await runCli(['audit', 'query', '--home', home, '--decision', 'delivered'])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[0]).toMatch(/^#2 {2}\d{4}-\d\d-\d\dT.*Z {2}delivered {2}rule=parent-calls-child {2}planner@….{6} → search {2}chain=operator>planner$/)
  })

  it('query refuses a time that is neither and a decision that is not one (exit 2)', async () => {
    for (const args of [['--since', 'yesterday'], ['--decision', 'Denied!'], ['--limit', '0']]) {
      const r = await runCli(['audit', 'query', '--home', home, ...args])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toContain(args[0])
    }
  })

  it('verify says OK with the counts', async () => {
    const r = await runCli(['audit', 'verify', '--home', home])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^OK .*12 records \(seq 1\.\.12\), 4 signed checkpoints, peer 12D3KooW/)
    const j = await runCli(['audit', 'verify', '--home', home, '--json'])
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, peer: peerId, records: 12, checkpoints: 4, unsigned: 0 })
  })

  it('export writes a file that verifies with only the peer ID, and not with another', async () => {
    const file = join(newHome(), 'audit.jsonl')
    const r = await runCli(['audit', 'export', '--home', home, '--out', file, '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ file, peer: peerId, records: 12, checkpoints: 4 })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const stdout = await runCli(['audit', 'export', '--home', home])
    expect(stdout.stdout).toBe(readFileSync(file, 'utf8'))
    expect((await runCli(['audit', 'export', '--home', home, '--out', file])).code).toBe(1) // exists
    const ok = await runCli(['audit', 'verify', '--file', file, '--peer', peerId])
    expect(ok.code, ok.stdout + ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/^OK /)
    const otherHome = newHome()
    const other = (await initHome(otherHome)).peerId
    const wrong = await runCli(['audit', 'verify', '--file', file, '--peer', other, '--json'])
    expect(wrong.code).toBe(1)
    expect(JSON.parse(wrong.stdout)).toMatchObject({ ok: false, firstBad: { problem: 'wrong_peer' } })
    expect((await runCli(['audit', 'verify', '--file', file, '--peer', 'not-a-peer'])).code).toBe(2)
  })

  it('verify names the first bad record of an edited database and exits 1', async () => {
    // A copy of the home (key and database), edited with plain SQL while no daemon runs.
    const edited = newHome()
    cpSync(home, edited, { recursive: true })
    const dst = homePaths(edited)
    const db = new DatabaseSync(dst.database)
    db.exec("UPDATE audit_records SET decision = 'delivered', reason = NULL, rule = NULL WHERE seq = 9")
    db.close()
    const r = await runCli(['audit', 'verify', '--home', edited])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^FAILED .*first bad record: seq 9 edited/)
    const j = await runCli(['audit', 'verify', '--home', edited, '--json'])
    expect(j.code).toBe(1)
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, firstBad: { seq: 9, problem: 'edited' } })
  })

  it('fails clearly (exit 1) for a home without a database', async () => {
    const empty = newHome()
    await initHome(empty)
    const r = await runCli(['audit', 'query', '--home', empty])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('there is no database')
  })
})
