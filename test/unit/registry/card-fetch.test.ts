import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { fetchCard, MAX_CARD_BYTES } from '../../../src/registry/card-fetch.js'
import { AgentRegistry } from '../../../src/registry/registry.js'
import { MEMORY_PATH, openDatabase, createSqliteAgentStore } from '../../../src/store/index.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(async (s) => await new Promise((resolve) => { s.closeAllConnections(); s.close(resolve) })))
})

/** A real HTTP server on loopback that answers every request with `answer`. */
async function serve (answer: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<string> {
  const server = createServer(answer)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/`
}

const card = { name: 'echo', protocolVersion: '1.0', supportedInterfaces: [{ protocolBinding: 'JSONRPC', url: 'http://127.0.0.1/echo/rpc' }] }

describe('fetchCard (node:http, no undici)', () => {
  it('returns the status and body, and sends the headers', async () => {
    let seen: Record<string, unknown> = {}
    const base = await serve((req, res) => { seen = req.headers; res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(card)) })
    const res = await fetchCard(new URL('.well-known/agent-card.json', base), { 'A2A-Version': '1.0' }, AbortSignal.timeout(5000))
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual(card)
    expect(seen['a2a-version']).toBe('1.0')
  })

  it('reports a non-2xx status without a body', async () => {
    const base = await serve((_req, res) => { res.statusCode = 404; res.end('no card here') })
    expect(await fetchCard(new URL(base), {}, AbortSignal.timeout(5000))).toEqual({ status: 404, body: '' })
  })

  it('refuses a card larger than the limit instead of buffering it', async () => {
    const base = await serve((_req, res) => { res.end(Buffer.alloc(MAX_CARD_BYTES + 1, 0x20)) })
    await expect(fetchCard(new URL(base), {}, AbortSignal.timeout(5000))).rejects.toThrow(/larger than/)
  })

  it('gives up when the signal aborts (a card that never comes)', async () => {
    const base = await serve(() => { /* never answers */ })
    const t0 = Date.now()
    await expect(fetchCard(new URL(base), {}, AbortSignal.timeout(200))).rejects.toThrow()
    expect(Date.now() - t0).toBeLessThan(3000)
  })

  it('rejects when nothing listens', async () => {
    const base = await serve((_req, res) => res.end())
    const url = new URL(base)
    await new Promise((resolve) => servers.pop()!.close(resolve))
    await expect(fetchCard(url, {}, AbortSignal.timeout(5000))).rejects.toThrow(/ECONNREFUSED/)
  })
})

describe('AgentRegistry.add without an injected fetch', () => {
  it('reads the card over node:http and names the failure when it cannot', async () => {
    const db = openDatabase(MEMORY_PATH)
    try {
      const registry = new AgentRegistry({ store: createSqliteAgentStore(db) })
      const base = await serve((req, res) => {
        if (req.url === '/echo/.well-known/agent-card.json') { res.end(JSON.stringify(card)); return }
        if (req.url === '/bad/.well-known/agent-card.json') { res.end('not json'); return }
        res.statusCode = 404; res.end()
      })
      const added = await registry.add({ name: 'echo', url: `${base}echo` })
      expect(added.card).toEqual(card)
      await expect(registry.add({ name: 'gone', url: `${base}gone` })).rejects.toMatchObject({ code: 'AGENT_UNREACHABLE', message: expect.stringMatching(/HTTP 404/) })
      await expect(registry.add({ name: 'bad', url: `${base}bad` })).rejects.toMatchObject({ code: 'INVALID_AGENT_CARD' })
    } finally {
      db.close()
    }
  })
})
