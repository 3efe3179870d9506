// The test agents themselves, talked to directly with the stock SDK client (no
// daemon): so that a failure elsewhere is not a broken test agent.
import { TaskState } from '@a2a-js/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { directClient, textOf, textRequest } from '../../helpers/a2a-client.js'
import { startAgent, startAgentProcess, type AgentProcess, type TestAgent } from '../../helpers/agents.js'

describe('in-process test agents', () => {
  let echo: TestAgent
  let task: TestAgent

  beforeAll(async () => {
    [echo, task] = await Promise.all([startAgent({ kind: 'echo', name: 'echo' }), startAgent({ kind: 'task', name: 'task' })])
  })
  afterAll(async () => { await Promise.all([echo?.close(), task?.close()]) })

  it('echo answers with a Message and counts the delivery', async () => {
    expect(echo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/echo$/)
    const client = await directClient(echo.url)
    const request = textRequest('hello')
    const reply = await client.sendMessage(request)
    expect('messageId' in reply).toBe(true)
    expect(textOf(reply)).toBe('echo: hello')
    expect(echo.received.get(request.message.messageId)).toBe(1)
    expect(echo.total()).toBe(1)
  })

  it('the task agent streams working, three chunks and completed', async () => {
    const client = await directClient(task.url)
    const kinds: string[] = []
    const chunks: string[] = []
    let last: TaskState | undefined
    for await (const ev of client.sendMessageStream(textRequest('go'))) {
      kinds.push(ev.payload?.$case ?? '?')
      if (ev.payload?.$case === 'artifactUpdate') chunks.push(textOf({ messageId: 'x', parts: ev.payload.value.artifact?.parts ?? [] } as any))
      if (ev.payload?.$case === 'statusUpdate') last = ev.payload.value.status?.state
    }
    expect(kinds).toEqual(['task', 'statusUpdate', 'artifactUpdate', 'artifactUpdate', 'artifactUpdate', 'statusUpdate'])
    expect(chunks).toEqual(['chunk0 ', 'chunk1 ', 'chunk2 '])
    expect(last).toBe(TaskState.TASK_STATE_COMPLETED)
  })

  it('the task agent can be cancelled while it works', async () => {
    const client = await directClient(task.url)
    let state: TaskState | undefined
    for await (const ev of client.sendMessageStream(textRequest('slow please'))) {
      if (ev.payload?.$case === 'task') state = (await client.cancelTask({ tenant: '', id: ev.payload.value.id, metadata: undefined })).status?.state
    }
    expect(state).toBe(TaskState.TASK_STATE_CANCELED)
  })
})

describe('test agent as a child process', () => {
  let agent: AgentProcess | undefined

  afterAll(async () => { await agent?.kill() })

  it('serves, counts per messageId on GET /count, and can be killed and restarted on the same port', async () => {
    agent = await startAgentProcess({ kind: 'echo', name: 'echo' })
    const request = textRequest('over there')
    expect(textOf(await (await directClient(agent.url)).sendMessage(request))).toBe('echo: over there')
    expect(await agent.counts()).toEqual(new Map([[request.message.messageId, 1]]))

    const port = agent.port
    await agent.kill()
    expect(agent.child.signalCode).toBe('SIGKILL')
    agent = await startAgentProcess({ kind: 'echo', name: 'echo', port })
    expect(agent.port).toBe(port)
    expect(await agent.total()).toBe(0)
    expect(textOf(await (await directClient(agent.url)).sendMessage(textRequest('again')))).toBe('echo: again')
    expect(await agent.total()).toBe(1)
    expect(await agent.stop()).toBe(0)
    agent = undefined
  })
})
