import { createServer, type Server } from 'node:http'
import { afterAll, describe, expect, it } from 'vitest'
import { jsonRpcSendMessage } from '../../helpers/a2a-client.js'
import { cleanup, startDaemon, type TestDaemon } from '../../helpers/daemon.js'

/** An "agent" with a valid card whose JSON-RPC endpoint answers HTTP 500 with text, not JSON. */
async function brokenAgent (): Promise<{ url: string, posts: () => number, close: () => Promise<void> }> {
  let posts = 0
  let url = ''
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').endsWith('/.well-known/agent-card.json')) {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({
        name: 'broken', description: 'always fails', version: '1.0.0',
        supportedInterfaces: [{ url, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' }],
        capabilities: { streaming: false, pushNotifications: false, extensions: [] },
        securitySchemes: {}, securityRequirements: [], defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'], skills: [], signatures: []
      }))
      return
    }
    posts++
    req.resume()
    res.writeHead(500, { 'Content-Type': 'text/plain' })
    res.end('internal oops')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/broken`
  return { url, posts: () => posts, close: async () => { await new Promise<void>((resolve) => server.close(() => resolve())) } }
}

describe('an agent that fails', () => {
  const daemons: Array<TestDaemon | undefined> = []
  let agent: Awaited<ReturnType<typeof brokenAgent>> | undefined
  afterAll(async () => { await cleanup(daemons); await agent?.close() })

  it('is reported to the caller at once as AGENT_ERROR, not retried until the deadline, and called once', async () => {
    agent = await brokenAgent()
    const b = await startDaemon()
    daemons.push(b)
    const a = await startDaemon({ args: ['--bootstrap', b.addresses[0] as string] })
    daemons.push(a)
    expect((await b.api('POST', '/v1/agents', { name: 'broken', url: agent.url })).status).toBe(201)

    const started = Date.now()
    const r = await a.api('POST', `/a2a/broken@${b.peerId}`, jsonRpcSendMessage('hello', { id: 7 }))
    const took = Date.now() - started
    expect(r.body).toMatchObject({ jsonrpc: '2.0', id: 7, error: { data: { reason: 'AGENT_ERROR' } } })
    expect(r.body.error.message).toMatch(/not JSON/)
    // The default deadline is 120 s; a retried failure would hold the caller for all of it.
    expect(took).toBeLessThan(10_000)
    expect(agent.posts()).toBe(1)
    expect((await a.api('GET', '/v1/tasks')).body.outbox).toMatchObject({ pending: 0, failed: 1 })
  })
})
