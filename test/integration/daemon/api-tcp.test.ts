import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanup, startDaemon, type TestDaemon } from '../../helpers/daemon.js'
import { startAgent } from '../../helpers/agents.js'
import { jsonRpcSendMessage } from '../../helpers/a2a-client.js'

// The optional loopback TCP listener, for clients that cannot use a Unix socket.
describe('the API on loopback TCP', () => {
  let d: TestDaemon
  let base: string
  beforeAll(async () => {
    d = await startDaemon({ args: ['--api-tcp', '127.0.0.1:0'] })
    const status = (await d.api('GET', '/v1/status')).body
    base = `http://${status.api.tcp as string}`
  })
  afterAll(async () => { await cleanup([d]) })

  it('keeps its bearer token in a file only the owner can read', () => {
    const path = join(d.home, 'api.token')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readFileSync(path, 'utf8').trim().length).toBeGreaterThanOrEqual(32)
  })

  it('refuses requests without the token, or with a wrong one', async () => {
    const none = await fetch(`${base}/v1/status`)
    expect(none.status).toBe(401)
    expect((await none.json()).error.code).toBe('UNAUTHORIZED')
    const wrong = await fetch(`${base}/v1/status`, { headers: { Authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
  })

  it('serves the same API with the token', async () => {
    const token = readFileSync(join(d.home, 'api.token'), 'utf8').trim()
    const r = await fetch(`${base}/v1/status`, { headers: { Authorization: `Bearer ${token}` } })
    expect(r.status).toBe(200)
    expect((await r.json()).peerId).toBe(d.peerId)
  })

  it("takes an agent's caller token for calling agents, never for managing the daemon", async () => {
    const agent = await startAgent({ kind: 'echo', name: 'echo' })
    try {
      const reg = await d.api('POST', '/v1/agents', { name: 'echo', url: agent.url })
      const agentToken = reg.body.token as string
      const auth = { Authorization: `Bearer ${agentToken}`, 'Content-Type': 'application/json' }
      const call = await fetch(`${base}/a2a/echo`, { method: 'POST', headers: auth, body: JSON.stringify(jsonRpcSendMessage('over tcp')) })
      expect(call.status).toBe(200)
      expect((await call.json()).result.message.parts[0].text).toBe('echo: over tcp')
      // The same token may not re-register an agent (and so mint itself another's token), nor read or change the daemon.
      const hijack = await fetch(`${base}/v1/agents`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'echo', url: agent.url }) })
      expect(hijack.status).toBe(401)
      expect((await fetch(`${base}/v1/trust/reload`, { method: 'POST', headers: auth })).status).toBe(401)
      expect((await fetch(`${base}/v1/status`, { headers: auth })).status).toBe(401)
    } finally {
      await agent.close()
    }
  })
})
