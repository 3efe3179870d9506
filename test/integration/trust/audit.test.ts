import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DatabaseSync } from 'node:sqlite'
import { join } from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { startAgent, type TestAgent } from '../../helpers/agents.js'
import { cleanup, runCli, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js'
import { sendAs } from '../../helpers/rpc.js'
import { RawPeer } from '../../helpers/raw-peer.js'
import { certifiedHome, createTestAuthority, type TestAuthority } from '../../helpers/trust.js'
import { JoinBundle } from '../../../src/pb/agentmesh.js'

// Two daemons: A (the caller's) and B (hosting `echo`, an orchestrator, and `helper`, its specialist).
// Every decision on either side lands in that daemon's audit log; the log
// verifies, and any edit made to the database file while the daemon is stopped
// is caught and named.

let auth: TestAuthority
let a: TestDaemon, b: TestDaemon
let echo: TestAgent
const peers: RawPeer[] = []
const scratch = mkdtempSync(join(tmpdir(), 'am-audit-'))

async function records (d: TestDaemon, ...args: string[]): Promise<any[]> {
  const r = await runCli(['audit', 'query', '--home', d.home, '--json', '--limit', '1000', ...args])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

beforeAll(async () => {
  auth = await createTestAuthority()
  const hb = await certifiedHome(auth, ['echo:orchestrator', 'helper:specialist:echo'])
  b = await startDaemon({ home: hb.home, closed: true })
  const ha = await certifiedHome(auth, ['client:specialist:nobody'])
  a = await startDaemon({ home: ha.home, closed: true, args: ['--bootstrap', b.addresses[0]!] })
  echo = await startAgent({ kind: 'echo', name: 'echo' })
  expect((await b.api('POST', '/v1/agents', { name: 'echo', url: echo.url })).status).toBe(201)
  await waitFor(async () => (await a.api('GET', '/v1/trust')).body.verifiedPeers.some((p: any) => p.peer === b.peerId), 'A to verify B')
}, 60_000)

afterAll(async () => {
  await cleanup([a, b])
  await Promise.all([echo?.close(), ...peers.map(async (p) => p.stop())])
  auth?.remove()
  rmSync(scratch, { recursive: true, force: true })
})

describe('the audit log records every decision on both daemons', () => {
  it('a delivered task: sent and answered on A, accepted (with its chain) and delivered on B', async () => {
    const r = await sendAs(a.apiSocket, `echo@${b.peerId}`, 'audited hello')
    expect(r.text).toBe('echo: audited hello')
    const onA = await records(a)
    const sent = onA.find((x) => x.decision === 'sent' && x.toAgent === 'echo')
    expect(sent, JSON.stringify(onA)).toMatchObject({ fromAgent: 'operator', fromPeer: a.peerId, toPeer: b.peerId })
    expect(onA.some((x) => x.decision === 'answered' && x.taskId === sent.taskId)).toBe(true)
    await waitFor(async () => (await records(b)).some((x) => x.decision === 'delivered' && x.taskId === sent.taskId), 'B to record the delivery')
    const onB = await records(b)
    const accepted = onB.find((x) => x.decision === 'accepted' && x.taskId === sent.taskId)
    expect(accepted).toMatchObject({ fromAgent: 'operator', fromPeer: a.peerId, toAgent: 'echo' })
    expect(accepted.envelopeHash).toMatch(/^[0-9a-f]{64}$/)
    expect(accepted.chain[0]).toMatchObject({ agent: 'operator', signer: a.peerId, audience: `echo@${b.peerId}` })
  })

  it('a denied call is recorded with its rule on the sending daemon', async () => {
    const r = await sendAs(a.apiSocket, `helper@${b.peerId}`, 'not yours')
    expect(r.reason).toBe('POLICY_DENIED')
    const denied = (await records(a, '--decision', 'denied')).at(-1)
    expect(denied).toMatchObject({ reason: 'POLICY_DENIED', rule: r.rule, toAgent: 'helper' })
  })

  it('a replayed envelope and a refused peer are recorded on the receiving daemon', async () => {
    const key = await generateKeyPair('Ed25519')
    const id = peerIdFromPrivateKey(key).toString()
    const cert = JoinBundle.decode(auth.issue(id, ['probe:orchestrator'])).certificate
    const peer = await RawPeer.start(key, { hello: { certificate: cert } })
    peers.push(peer)
    peer.chainCertificate = cert
    const sealed = peer.seal(b, 'echo')
    await peer.send(b, sealed.bytes)
    const again = await peer.send(b, sealed.bytes)
    expect(again.errorCode).toBe('REPLAYED')
    const stranger = await RawPeer.start(undefined, { hello: {} })
    peers.push(stranger)
    await stranger.sendFresh(b, 'echo')
    await waitFor(async () => {
      const onB = await records(b)
      return onB.some((x) => x.decision === 'replay' && x.reason === 'REPLAYED' && x.fromPeer === id) &&
        onB.some((x) => x.decision === 'peer_refused' && x.reason === 'NO_CERTIFICATE' && x.fromPeer === stranger.peerId)
    }, 'B to record the replay and the refusal')
  })

  it('verifies, exports a log a third party verifies with only the peer ID, and names the first edited, deleted, inserted or swapped record', async () => {
    expect((await runCli(['audit', 'verify', '--home', b.home])).code).toBe(0)
    const exported = join(scratch, 'b.jsonl')
    expect((await runCli(['audit', 'export', '--home', b.home, '--out', exported])).code).toBe(0)
    // Elsewhere: no home, only the file and B's peer ID.
    const elsewhere = await runCli(['audit', 'verify', '--file', exported, '--peer', b.peerId, '--json'])
    expect(elsewhere.code, elsewhere.stdout + elsewhere.stderr).toBe(0)
    expect(JSON.parse(elsewhere.stdout).ok).toBe(true)

    const stopped = await b.stop()
    expect(stopped).toBe(0)
    const db = join(b.home, 'agentmesh.db')
    const count = (new DatabaseSync(db, { readOnly: true }).prepare('SELECT COUNT(*) AS n FROM audit_records').get() as { n: number }).n
    expect(count).toBeGreaterThan(4)
    const backup = join(scratch, 'clean.db')
    const copy = (from: string, to: string): void => { const d = new DatabaseSync(from); d.exec(`VACUUM INTO '${to}'`); d.close() }
    copy(db, backup)
    const tamper = async (sql: string): Promise<any> => {
      rmSync(db, { force: true }); rmSync(`${db}-wal`, { force: true }); rmSync(`${db}-shm`, { force: true })
      copy(backup, db)
      const d = new DatabaseSync(db)
      d.exec(sql)
      d.close()
      const r = await runCli(['audit', 'verify', '--home', b.home, '--json'])
      expect(r.code, r.stdout + r.stderr).toBe(1)
      return JSON.parse(r.stdout)
    }
    expect((await tamper("UPDATE audit_records SET decision = 'delivered', reason = NULL WHERE seq = 3")).firstBad).toMatchObject({ seq: 3, problem: 'edited' })
    expect((await tamper('DELETE FROM audit_records WHERE seq = 3')).firstBad).toMatchObject({ problem: 'deleted' })
    const inserted = await tamper(`INSERT INTO audit_records SELECT seq + 1000, time_ms, 'delivered', reason, rule, from_agent, from_peer, to_agent, to_peer, envelope_hash, task_id, trace_id, detail, chain, prev_hash, hash FROM audit_records WHERE seq = 2;
      UPDATE audit_records SET seq = seq + 100000 WHERE seq >= 3 AND seq < 1000; UPDATE audit_records SET seq = seq - 99999 WHERE seq >= 100000;
      UPDATE audit_records SET seq = 3 WHERE seq = 1002`)
    expect(inserted.firstBad.problem).toMatch(/inserted|edited/)
    const swapped = await tamper(`UPDATE audit_records SET seq = -1 WHERE seq = 3; UPDATE audit_records SET seq = 3 WHERE seq = 4; UPDATE audit_records SET seq = 4 WHERE seq = -1`)
    expect(swapped.firstBad).toMatchObject({ seq: 3, problem: 'reordered' })
  }, 60_000)

  it('a daemon killed with SIGKILL in the middle of writing leaves a log that verifies', async () => {
    const busy = Promise.all(Array.from({ length: 40 }, async (_, i) => sendAs(a.apiSocket, `echo@${b.peerId}`, `load ${i}`).catch(() => {})))
    await new Promise((resolve) => setTimeout(resolve, 150))
    await a.kill()
    await busy
    const r = await runCli(['audit', 'verify', '--home', a.home, '--json'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).ok).toBe(true)
  })
})
