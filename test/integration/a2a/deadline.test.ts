import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { jsonRpcSendMessage } from '../../helpers/a2a-client.js'
import { cleanup, runCli, startDaemon, tempHome, type TestDaemon } from '../../helpers/daemon.js'

describe('a task whose receiver never comes back', () => {
  const daemons: Array<TestDaemon | undefined> = []
  afterAll(async () => { await cleanup(daemons) })

  it('is retried until its deadline, then reported failed to the caller and in /v1/tasks', async () => {
    const b = await startDaemon()
    daemons.push(b)
    const home = tempHome()
    await runCli(['init', '--home', home])
    writeFileSync(join(home, 'config.json'), JSON.stringify({ relay: { taskDeadlineMs: 2_000 } }))
    const a = await startDaemon({ home, args: ['--bootstrap', b.addresses[0] as string] })
    daemons.push(a)
    const bPeer = b.peerId
    await b.stop()

    const started = Date.now()
    const r = await a.api('POST', `/a2a/echo@${bPeer}`, jsonRpcSendMessage('anyone there?', { id: 42 }))
    const took = Date.now() - started
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ jsonrpc: '2.0', id: 42, error: { code: -32050, data: { reason: 'DEADLINE_EXCEEDED' } } })
    expect(r.body.error.message).toMatch(/not delivered before its deadline/)
    expect(took).toBeGreaterThanOrEqual(1_500)
    expect((await a.api('GET', '/v1/tasks')).body.outbox).toMatchObject({ pending: 0, failed: 1 })
  })
})
