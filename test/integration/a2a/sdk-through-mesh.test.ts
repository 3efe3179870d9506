import { TaskState } from '@a2a-js/sdk'
import type { Client } from '@a2a-js/sdk/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'node:http'
import { a2aClientFor, closeA2AClients, directClient, jsonRpcSendMessage, textOf, textRequest } from '../../helpers/a2a-client.js'
import { startAgent, type TestAgent } from '../../helpers/agents.js'
import { cleanup, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js'

// Host A runs a stock @a2a-js/sdk client; host B runs stock @a2a-js/sdk agents.
// Between them: two real daemons (child processes), Noise + Yamux over TCP.
describe('a stock A2A client and server, through two daemons', () => {
  let a: TestDaemon, b: TestDaemon
  let echo: TestAgent, worker: TestAgent, slow: TestAgent
  let viaMesh: (agent: string) => Promise<Client>

  beforeAll(async () => {
    [echo, worker, slow] = await Promise.all([
      startAgent({ kind: 'echo', name: 'echo' }),
      startAgent({ kind: 'task', name: 'worker' }),
      startAgent({ kind: 'task', name: 'slow', chunkDelayMs: 1_000 })
    ])
    b = await startDaemon()
    a = await startDaemon({ args: ['--bootstrap', b.addresses[0] as string] })
    for (const ag of [echo, worker, slow]) {
      const r = await b.cli(['agent', 'add', ag.name, '--url', ag.url, '--json'])
      expect(r.code, r.stderr).toBe(0)
    }
    viaMesh = async (agent) => a2aClientFor(a.apiSocket, agent)
  })
  afterAll(async () => {
    await closeA2AClients()
    await cleanup([a, b])
    await Promise.all([echo, worker, slow].map(async (x) => x?.close()))
  })

  it('finds which peer hosts an agent through the DHT', async () => {
    const found = await waitFor(async () => {
      const r = await a.cli(['agents', 'find', 'echo', '--json'])
      const providers = r.code === 0 ? JSON.parse(r.stdout).providers : []
      return providers.length > 0 ? providers : undefined
    }, 'A to find echo in the DHT')
    expect(found[0]).toMatchObject({ peer: b.peerId, address: `echo@${b.peerId}` })
  })

  it('serves the remote agent card with its interface pointed at the local endpoint', async () => {
    const r = await a.api('GET', `/a2a/echo@${b.peerId}/.well-known/agent-card.json`)
    expect(r.status).toBe(200)
    expect(r.body.name).toBe('echo')
    expect(r.body.supportedInterfaces).toEqual([expect.objectContaining({ protocolBinding: 'JSONRPC', protocolVersion: '1.0', url: `http://localhost/a2a/${encodeURIComponent(`echo@${b.peerId}`)}` })])
  })

  it('sends a message: same answer as calling the agent directly', async () => {
    const direct = await (await directClient(echo.url)).sendMessage(textRequest('hello'))
    const request = textRequest('hello')
    const mesh = await (await viaMesh(`echo@${b.peerId}`)).sendMessage(request)
    expect(textOf(mesh)).toBe('echo: hello')
    expect(textOf(mesh)).toBe(textOf(direct))
    expect(echo.received.get(request.message.messageId)).toBe(1)
  })

  it('resolves a bare agent name through the directory', async () => {
    const r = await (await viaMesh('echo')).sendMessage(textRequest('by name'))
    expect(textOf(r)).toBe('echo: by name')
  })

  it('streams a task frame by frame, with the same events as a direct stream', async () => {
    const kinds = async (client: Client): Promise<string[]> => {
      const out: string[] = []
      for await (const ev of client.sendMessageStream(textRequest('stream me'))) out.push(ev.payload?.$case ?? '?')
      return out
    }
    const direct = await kinds(await directClient(worker.url))
    const mesh = await kinds(await viaMesh(`worker@${b.peerId}`))
    expect(mesh).toEqual(direct)
    expect(mesh).toEqual(['task', 'statusUpdate', 'artifactUpdate', 'artifactUpdate', 'artifactUpdate', 'statusUpdate'])
  })

  it('gets a task by id through the mesh', async () => {
    const client = await viaMesh(`worker@${b.peerId}`)
    const sent = await client.sendMessage(textRequest('make a task'))
    expect('id' in sent).toBe(true)
    const task = await client.getTask({ tenant: '', id: (sent as { id: string }).id, historyLength: undefined } as never)
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
    expect(textOf(task)).toBe('chunk0 chunk1 chunk2 ')
  })

  it('cancels a running task through the mesh', async () => {
    const client = await viaMesh(`slow@${b.peerId}`)
    const stream = client.sendMessageStream(textRequest('take your time'))
    let taskId = ''
    for await (const ev of stream) {
      if (ev.payload?.$case === 'task') { taskId = ev.payload.value.id; break }
    }
    expect(taskId).not.toBe('')
    const canceled = await client.cancelTask({ tenant: '', id: taskId, metadata: undefined })
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED)
  })

  it('carries the caller\'s W3C trace context to the agent', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    const body = JSON.stringify(jsonRpcSendMessage('traced'))
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ socketPath: a.apiSocket, method: 'POST', path: `/a2a/echo@${b.peerId}`, headers: { 'Content-Type': 'application/json', traceparent } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)) })
      req.on('error', reject)
      req.end(body)
    })
    expect(status).toBe(200)
    expect(echo.traceparents.at(-1)).toBe(traceparent)
  })

  it('sends from the command line, plain and streamed', async () => {
    const plain = await a.cli(['send', `echo@${b.peerId}`, 'from the shell'])
    expect(plain.code, plain.stderr).toBe(0)
    expect(plain.stdout.trim()).toBe('echo: from the shell')
    const streamed = await a.cli(['send', `worker@${b.peerId}`, 'go', '--stream'])
    expect(streamed.code, streamed.stderr).toBe(0)
    expect(streamed.stdout).toContain('chunk0')
    expect(streamed.stdout).toContain('chunk2')
    const missing = await a.cli(['send', 'nobody', 'hello?'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('AGENT_NOT_FOUND')
  })

  it('lists and removes local agents', async () => {
    const ls = await b.cli(['agent', 'ls', '--json'])
    expect(JSON.parse(ls.stdout).map((x: { name: string }) => x.name)).toEqual(['echo', 'slow', 'worker'])
    const bad = await b.cli(['agent', 'add', 'bad name', '--url', echo.url])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('INVALID_AGENT_NAME')
    const unreachable = await b.cli(['agent', 'add', 'ghost', '--url', 'http://127.0.0.1:1/ghost'])
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toContain('AGENT_UNREACHABLE')
    expect((await b.cli(['agent', 'rm', 'nope'])).stderr).toContain('AGENT_NOT_FOUND')
  })

  it('answers a JSON-RPC error for an agent nobody hosts', async () => {
    const r = await a.api('POST', '/a2a/nobody', { jsonrpc: '2.0', id: 7, method: 'SendMessage', params: {} })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32050, data: { reason: 'AGENT_NOT_FOUND' } } })
  })

  it('answers a JSON-RPC error for an agent that the named peer does not host', async () => {
    const r = await a.api('POST', `/a2a/ghost@${b.peerId}`, { jsonrpc: '2.0', id: 8, method: 'SendMessage', params: {} })
    expect(r.body).toMatchObject({ id: 8, error: { code: -32050, data: { reason: 'AGENT_NOT_FOUND' } } })
  })
})
