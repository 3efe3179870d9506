import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiCall, cleanup, startDaemon, type TestDaemon } from '../../helpers/daemon.js'

describe('the local API under bad input', () => {
  let d: TestDaemon
  beforeAll(async () => { d = await startDaemon() })
  afterAll(async () => { await cleanup([d]) })

  const stillServing = async (): Promise<void> => {
    const s = await d.api('GET', '/v1/status')
    expect(s.status).toBe(200)
    expect(s.body.peerId).toBe(d.peerId)
  }

  it('answers bad JSON with 400 BAD_JSON', async () => {
    const r = await d.api('POST', '/v1/peers/connect', undefined, '{"multiaddr": ')
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('BAD_JSON')
    await stillServing()
  })

  it('answers a body of the wrong shape with 400 INVALID_REQUEST', async () => {
    const r = await d.api('POST', '/v1/peers/connect', { multiaddr: 42 })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('INVALID_REQUEST')
  })

  it('answers an unknown route with 404 NOT_FOUND and a wrong method with 405', async () => {
    const r = await d.api('GET', '/v1/nothing-here')
    expect(r.status).toBe(404)
    expect(r.body.error).toEqual({ code: 'NOT_FOUND', message: 'no route GET /v1/nothing-here' })
    const m = await d.api('DELETE', '/v1/status')
    expect(m.status).toBe(405)
    expect(m.body.error.code).toBe('METHOD_NOT_ALLOWED')
    await stillServing()
  })

  it('answers a malformed peer ID with 400 and an unknown peer with 404', async () => {
    const bad = await d.api('GET', '/v1/peers/not-a-peer')
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('INVALID_PEER_ID')
    const unknown = await d.api('GET', '/v1/peers/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK')
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('PEER_NOT_FOUND')
    const ping = await d.api('POST', '/v1/peers/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK/ping')
    expect(ping.status).toBe(404)
    await stillServing()
  })

  it('answers an unreachable multiaddr with 502 PEER_UNREACHABLE', async () => {
    const r = await d.api('POST', '/v1/peers/connect', { multiaddr: '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK' })
    expect(r.status).toBe(502)
    expect(r.body.error.code).toBe('PEER_UNREACHABLE')
    const bad = await d.api('POST', '/v1/peers/connect', { multiaddr: 'nonsense' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('INVALID_MULTIADDR')
  })

  it('refuses an oversized body with 413 without reading it all', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20)
    const r = await apiCall(d.apiSocket, 'POST', '/v1/peers/connect', big).catch((err: NodeJS.ErrnoException) => ({ status: 413, body: { error: { code: `socket closed: ${err.code}` } } }))
    expect(r.status).toBe(413)
    await stillServing()
  })

  it('survives garbage that is not HTTP at all', async () => {
    const { createConnection } = await import('node:net')
    const reply = await new Promise<string>((resolve) => {
      const s = createConnection(d.apiSocket, () => { s.write('\x00\x01garbage\r\n\r\n') })
      let text = ''
      s.on('data', (b) => { text += b.toString() })
      s.on('close', () => resolve(text))
      s.on('error', () => resolve(text))
    })
    expect(reply).toMatch(/^HTTP\/1\.1 400/)
    await stillServing()
  })

  it('serves many requests at once', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, async () => d.api('GET', '/v1/status')))
    expect(results.every((r) => r.status === 200)).toBe(true)
  })

  it('keeps the socket private to its owner', async () => {
    const { statSync } = await import('node:fs')
    expect(statSync(d.apiSocket).mode & 0o777).toBe(0o600)
    expect(statSync(d.home).mode & 0o077).toBe(0)
    expect(statSync(`${d.home}/identity.key`).mode & 0o777).toBe(0o600)
    // The database holds task payloads.
    for (const f of ['agentmesh.db', 'agentmesh.db-wal']) expect(statSync(`${d.home}/${f}`).mode & 0o777).toBe(0o600)
  })
})

void request
