import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { startAgent, type TestAgent } from '../../helpers/agents.js'
import { jsonRpcSendMessage } from '../../helpers/a2a-client.js'
import { BIN, cleanup, runCli, startDaemon, tempHome, waitFor, type TestDaemon } from '../../helpers/daemon.js'
import { metricsText, metricValue } from '../../helpers/mesh-api.js'
import { RawPeer } from '../../helpers/raw-peer.js'
import { sendAs } from '../../helpers/rpc.js'
import { certifiedHome, createTestAuthority, type TestAuthority } from '../../helpers/trust.js'
import { JoinBundle } from '../../../src/pb/agentmesh.js'

// Two daemons of one closed mesh: A (the caller's, logging at debug) and B (hosting `echo`, an
// orchestrator, and `helper`, its specialist; it also serves /metrics on a plain HTTP port).
// After a delivered task, a replayed envelope and a denied call, each is counted under its reason
// on /metrics, beside libp2p's own metrics, and each task line in the log carries its ids.

let auth: TestAuthority
let a: TestDaemon, b: TestDaemon
let echo: TestAgent
const peers: RawPeer[] = []

/** JSON log lines a daemon wrote to stderr. */
function logLines (d: TestDaemon): any[] {
  return d.stderr().split('\n').flatMap((l) => { try { return [JSON.parse(l)] } catch { return [] } })
}

/** Sends a SendMessage as the operator with a W3C traceparent; resolves with the JSON-RPC answer. */
async function sendTraced (d: TestDaemon, agent: string, text: string, traceparent: string): Promise<any> {
  const payload = JSON.stringify(jsonRpcSendMessage(text))
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: d.apiSocket, method: 'POST', path: `/a2a/${encodeURIComponent(agent)}`, headers: { 'Content-Type': 'application/json', traceparent } }, (res) => {
      let data = ''
      res.on('data', (c: Buffer) => { data += c.toString() })
      res.on('end', () => { try { resolve(JSON.parse(data)) } catch (err) { reject(err) } })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/**
 * Runs `agentmesh daemon` (no --json) until `done(stdout, stderr)` holds, then stops it. With
 * `tty`, under script(1), so that its stdout and stderr are a terminal (both land in stdout here).
 */
async function runUntil (tty: boolean, done: (out: string, err: string) => boolean): Promise<{ out: string, err: string }> {
  const home = tempHome()
  const argv = [BIN, 'daemon', '--home', home, '--no-mdns', '--open', '--listen', '/ip4/127.0.0.1/tcp/0', '--log-level', 'info']
  const child = tty
    ? spawn('script', ['-q', '-c', [process.execPath, ...argv].map((a) => `'${a}'`).join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  try {
    await new Promise<void>((resolve, reject) => {
      const check = (): void => { if (done(out, err)) resolve() }
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); check() })
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); check() })
      child.once('exit', (code) => { reject(new Error(`exited ${code} before ready:\n${out}\n${err}`)) })
      setTimeout(() => { reject(new Error(`not ready in time:\n${out}\n${err}`)) }, 30_000)
    })
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
    rmSync(home, { recursive: true, force: true })
  }
  return { out, err }
}

beforeAll(async () => {
  auth = await createTestAuthority()
  const hb = await certifiedHome(auth, ['echo:orchestrator', 'helper:specialist:echo'])
  b = await startDaemon({ home: hb.home, closed: true, args: ['--metrics', '127.0.0.1:0'] })
  const ha = await certifiedHome(auth, ['client:specialist:nobody'])
  a = await startDaemon({ home: ha.home, closed: true, args: ['--bootstrap', b.addresses[0]!, '--log-level', 'debug'] })
  echo = await startAgent({ kind: 'echo', name: 'echo' })
  expect((await b.api('POST', '/v1/agents', { name: 'echo', url: echo.url })).status).toBe(201)
  await waitFor(async () => (await a.api('GET', '/v1/trust')).body.verifiedPeers.some((p: any) => p.peer === b.peerId), 'A to verify B')
}, 60_000)

afterAll(async () => {
  await cleanup([a, b])
  await Promise.all([echo?.close(), ...peers.map(async (p) => p.stop())])
  auth?.remove()
})

describe('/metrics and task logs', () => {
  it('a delivered task is counted and timed on both daemons, and logged with peer, agent, task and trace ids', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const answer = await sendTraced(a, `echo@${b.peerId}`, 'measured hello', `00-${traceId}-00f067aa0ba902b7-01`)
    expect(answer.result?.message?.parts?.[0]?.text, JSON.stringify(answer)).toBe('echo: measured hello')

    const onA = await metricsText(a)
    expect(metricValue(onA, 'agentmesh_tasks_sent_total', { outcome: 'delivered' })).toBeGreaterThanOrEqual(1)
    expect(metricValue(onA, 'agentmesh_task_decisions_total', { side: 'sender', decision: 'sent' })).toBeGreaterThanOrEqual(1)
    expect(metricValue(onA, 'agentmesh_task_decisions_total', { side: 'sender', decision: 'answered' })).toBeGreaterThanOrEqual(1)
    expect(metricValue(onA, 'agentmesh_task_duration_seconds_count', { side: 'sender', outcome: 'ok' })).toBeGreaterThanOrEqual(1)
    expect(metricValue(onA, 'agentmesh_task_duration_seconds_sum', { side: 'sender', outcome: 'ok' })).toBeGreaterThan(0)
    expect(metricValue(onA, 'agentmesh_outbox_pending_tasks')).toBe(0)
    expect(onA).toMatch(/^agentmesh_outbox_oldest_pending_age_seconds 0$/m)
    await waitFor(async () => {
      const onB = await metricsText(b)
      return metricValue(onB, 'agentmesh_tasks_delivered_total', { outcome: 'delivered' }) >= 1 &&
        metricValue(onB, 'agentmesh_task_decisions_total', { side: 'receiver', decision: 'delivered' }) >= 1 &&
        metricValue(onB, 'agentmesh_task_duration_seconds_count', { side: 'receiver', outcome: 'ok' }) >= 1
    }, 'B to count and time the delivery')

    const lines = logLines(a).filter((l) => l.trace === traceId)
    expect(lines.map((l) => l.msg), JSON.stringify(logLines(a).slice(-10))).toEqual(expect.arrayContaining(['task sent', 'task answered']))
    for (const l of lines) {
      expect(l).toMatchObject({ peer: a.peerId, fromPeer: a.peerId, fromAgent: 'operator', toPeer: b.peerId, toAgent: 'echo', side: 'sender' })
      expect(l.task).toMatch(/^[0-9a-f]{32}$/)
    }
    expect(new Set(lines.map((l) => l.task)).size, 'one task id across its lines').toBe(1)
  })

  it('a replayed envelope is counted under REPLAYED and logged with the envelope\'s task id', async () => {
    const key = await generateKeyPair('Ed25519')
    const id = peerIdFromPrivateKey(key).toString()
    const cert = JoinBundle.decode(auth.issue(id, ['probe:orchestrator'])).certificate
    const peer = await RawPeer.start(key, { hello: { certificate: cert } })
    peers.push(peer)
    peer.chainCertificate = cert
    const before = metricValue(await metricsText(b), 'agentmesh_envelopes_rejected_total', { reason: 'REPLAYED' })
    const sealed = peer.seal(b, 'echo')
    expect((await peer.send(b, sealed.bytes)).errorCode).toBeUndefined()
    expect((await peer.send(b, sealed.bytes)).errorCode).toBe('REPLAYED')

    const onB = await metricsText(b)
    expect(metricValue(onB, 'agentmesh_envelopes_rejected_total', { reason: 'REPLAYED' })).toBe(before + 1)
    expect(metricValue(onB, 'agentmesh_task_decisions_total', { side: 'receiver', decision: 'replay', reason: 'REPLAYED' })).toBeGreaterThanOrEqual(1)
    const line = logLines(b).find((l) => l.msg === 'task replay (REPLAYED)' && l.task === sealed.idHex)
    expect(line, JSON.stringify(logLines(b).slice(-10))).toMatchObject({ level: 40, peer: b.peerId, fromPeer: id, fromAgent: 'operator', toAgent: 'echo', reason: 'REPLAYED', side: 'receiver' })
  })

  it('a call the policy denies is counted under POLICY_DENIED with its rule, on the daemon that refused it', async () => {
    const r = await sendAs(a.apiSocket, `helper@${b.peerId}`, 'not yours')
    expect(r.reason, JSON.stringify(r.body)).toBe('POLICY_DENIED')
    const onA = await metricsText(a)
    expect(metricValue(onA, 'agentmesh_policy_denied_total', { side: 'egress', rule: r.rule as string })).toBeGreaterThanOrEqual(1)
    expect(metricValue(onA, 'agentmesh_task_decisions_total', { side: 'sender', decision: 'denied', reason: 'POLICY_DENIED' })).toBeGreaterThanOrEqual(1)
    const line = logLines(a).find((l) => l.msg === 'task denied (POLICY_DENIED)')
    expect(line).toMatchObject({ level: 40, rule: r.rule, fromAgent: 'operator', toAgent: 'helper', toPeer: b.peerId })
    expect(line.task).toMatch(/^[0-9a-f]{32}$/)
  })

  it('serves libp2p\'s metrics in the same registry: connections (direct or relayed), the DHT and its lookups', async () => {
    // A directory lookup is a DHT FIND_PROVIDERS.
    expect((await a.api('GET', '/v1/directory/echo')).status).toBe(200)
    const text = await metricsText(a)
    expect(metricValue(text, 'agentmesh_connections', { path: 'direct' })).toBeGreaterThanOrEqual(1)
    expect(metricValue(text, 'agentmesh_connections', { path: 'relayed' })).toBe(0)
    expect(metricValue(text, 'libp2p_connection_manager_connections', { libp2p_connection_manager_connections: 'outbound' })).toBeGreaterThanOrEqual(1)
    expect(metricValue(text, 'libp2p_noise_xxhandshake_successes_total')).toBeGreaterThanOrEqual(1)
    expect(text).toMatch(/^libp2p_data_transfer_bytes_total\{protocol="global sent"\} \d+/m)
    expect(metricValue(text, 'agentmesh_dht_routing_table_size')).toBeGreaterThanOrEqual(1)
    expect(text).toMatch(/^libp2p_kad_dht_routing_table_size \d+/m)
    expect(metricValue(text, 'agentmesh_dht_operation_duration_seconds_count', { operation: 'FIND_PROVIDERS' })).toBeGreaterThanOrEqual(1)
    expect(text).toMatch(/^process_cpu_seconds_total /m)
    expect(text).not.toContain('agentmesh_process_')
  })

  it('--metrics HOST:PORT serves /metrics over plain HTTP, and nothing else', async () => {
    const ready = logLines(b).find((l) => l.msg === 'daemon ready')
    expect(ready?.metrics).toMatch(/^127\.0\.0\.1:\d+$/)
    const res = await fetch(`http://${ready.metrics as string}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    expect(metricValue(text, 'agentmesh_envelopes_rejected_total', { reason: 'REPLAYED' })).toBeGreaterThanOrEqual(1)
    expect(text).toContain('libp2p_connection_manager_connections')
    expect((await fetch(`http://${ready.metrics as string}/v1/status`)).status).toBe(404)
    expect((await fetch(`http://${ready.metrics as string}/v1/agents`, { method: 'POST', body: '{}' })).status).toBe(404)
  })

  it('writes the ready line as one JSON log line in a log stream, and the human lines only to a terminal', async () => {
    const piped = await runUntil(false, (_out, err) => err.includes('"msg":"daemon ready"'))
    expect(piped.out).toBe('')
    expect(piped.err).not.toContain('agentmesh daemon ready:')
    const ready = piped.err.split('\n').map((l) => { try { return JSON.parse(l) } catch { return {} } }).find((l) => l.msg === 'daemon ready')
    expect(ready).toMatchObject({ level: 30, event: 'ready', apiSocket: expect.stringMatching(/api\.sock$/), metrics: null, trust: { mode: 'open' } })
    expect(ready.peerId).toMatch(/^12D3KooW/)
    expect(ready.addresses[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3KooW/)
    if (!existsSync('/usr/bin/script')) return
    // Wait for the last of the human lines (trust): the terminal may hand them over in several reads.
    const terminal = await runUntil(true, (out) => /agentmesh daemon ready: peer 12D3KooW\S+\r?\n\s+listening \/ip4/.test(out) && /\n\s+trust [^\r\n]+\r?\n/.test(out))
    expect(terminal.out).toMatch(/ {2}api \S+api\.sock/)
  })

  it('refuses a --metrics value that is not HOST:PORT, naming the key', async () => {
    const home = tempHome()
    const r = await runCli(['daemon', '--home', home, '--no-mdns', '--metrics', '9464'], { timeoutMs: 20_000 })
    rmSync(home, { recursive: true, force: true })
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toMatch(/"telemetry\.metricsListen" from flags: expected HOST:PORT/)
  })
})
