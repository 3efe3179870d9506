import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { AGENT_CARD_PATH, parseSseStream, Role, TaskState } from '@a2a-js/sdk'
import type { AgentCard, Message, Part } from '@a2a-js/sdk'
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from '@a2a-js/sdk/server'
import { UserBuilder, agentCardHandler, jsonRpcHandler } from '@a2a-js/sdk/server/express'
import { clientFactory, textMessage, textRequest } from '../../helpers/a2a-client.js'
import { startAgentServer } from '../../helpers/agent-core.mjs'

/** One JSON-RPC call as it crossed the wire between a stock SDK client and a stock SDK agent. */
export interface Exchange {
  method: string
  /** The request body, byte for byte. */
  request: string
  /** The JSON answer, or each SSE event's data, in order. */
  replies: string[]
}

/**
 * A `fetch` that records every JSON-RPC call it carries: the body sent and
 * the answer (for SSE, each event's data, read from a clone with the SDK's
 * own SSE parser, as a daemon reads it).
 */
function recordingFetch (log: Exchange[], pending: Array<Promise<void>>): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await fetch(input, init)
    if (init?.method !== 'POST' || typeof init.body !== 'string') return res
    const request = init.body
    const method = (JSON.parse(request) as { method: string }).method
    const exchange: Exchange = { method, request, replies: [] }
    log.push(exchange)
    const copy = res.clone()
    pending.push((async () => {
      if ((copy.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        for await (const event of parseSseStream(copy)) exchange.replies.push(event.data)
      } else {
        exchange.replies.push(await copy.text())
      }
    })())
    return res
  }) as typeof fetch
}

/** A user message carrying every kind of part the SDK knows, as the SDK types want them. */
function mixedMessage (): Message {
  const parts: Part[] = [
    { content: { $case: 'text', value: 'mixed: héllo ✓' }, mediaType: 'text/plain', filename: '', metadata: { lang: 'fr' } },
    { content: { $case: 'data', value: { kind: 'query', limit: 3, tags: ['a', 'b'], nested: { ok: true, none: null } } }, mediaType: 'application/json', filename: '', metadata: undefined },
    { content: { $case: 'raw', value: Buffer.from([0, 1, 2, 250, 255]) }, mediaType: 'application/octet-stream', filename: 'blob.bin', metadata: undefined },
    { content: { $case: 'url', value: 'https://example.com/report.pdf' }, mediaType: 'application/pdf', filename: 'report.pdf', metadata: undefined }
  ]
  return textMessage('', { parts, metadata: { skill: 'echo', 'agentmesh.delegation': 'x' }, extensions: ['https://example.com/ext'], referenceTaskIds: [randomUUID()] })
}

/**
 * Starts a stock echo agent and a stock task agent and drives them with a
 * stock SDK client: SendMessage (Message and Task answers, every part kind),
 * SendStreamingMessage, GetTask, ListTasks, SubscribeToTask, CancelTask and
 * an error answer. Returns every exchange, recorded on the wire.
 */
export async function captureSdkTraffic (): Promise<Exchange[]> {
  const echo = await startAgentServer({ kind: 'echo', name: 'echo' })
  const tasks = await startAgentServer({ kind: 'task', name: 'tasks', chunkDelayMs: 1 })
  const log: Exchange[] = []
  const pending: Array<Promise<void>> = []
  try {
    const factory = clientFactory(recordingFetch(log, pending))
    const echoClient = await factory.createFromUrl(`${echo.url}/`)
    const taskClient = await factory.createFromUrl(`${tasks.url}/`)

    await echoClient.sendMessage(textRequest('hello'))
    await echoClient.sendMessage({ tenant: '', message: mixedMessage(), configuration: { acceptedOutputModes: ['text/plain'], historyLength: 5, returnImmediately: false, taskPushNotificationConfig: undefined }, metadata: { trace: 'x' } })
    for await (const _ of echoClient.sendMessageStream(textRequest('stream to echo'))) { /* drain */ }

    const task = await taskClient.sendMessage(textRequest('work'))
    const taskId = 'id' in task ? task.id : ''
    await taskClient.sendMessage(textRequest('boom'))
    for await (const _ of taskClient.sendMessageStream(textRequest('stream work'))) { /* drain */ }
    await taskClient.getTask({ tenant: '', id: taskId, historyLength: 10 })
    await taskClient.listTasks({ tenant: '', contextId: '', status: 0, pageSize: 10, pageToken: '', historyLength: undefined, statusTimestampAfter: undefined, includeArtifacts: true })
    await taskClient.getTask({ tenant: '', id: randomUUID(), historyLength: undefined }).catch(() => {})

    // A slow task: subscribe to it, then cancel it.
    const slow = taskClient.sendMessageStream(textRequest('slow'))
    const first = await slow.next()
    const slowId = first.value?.payload?.$case === 'task' ? first.value.payload.value.id : ''
    const resubscribed = (async () => { for await (const _ of taskClient.resubscribeTask({ tenant: '', id: slowId })) { /* drain */ } })()
    await new Promise((resolve) => setTimeout(resolve, 300))
    await taskClient.cancelTask({ tenant: '', id: slowId, metadata: { why: 'test' } })
    for await (const _ of { [Symbol.asyncIterator]: () => slow }) { /* drain */ }
    await resubscribed.catch(() => {})
    await Promise.all(pending)
  } finally {
    await echo.close()
    await tasks.close()
  }
  return log
}

const textPart = (text: string): Part => ({ content: { $case: 'text', value: text }, mediaType: 'text/plain', filename: '', metadata: undefined })

/**
 * A stock SDK agent that puts `text` everywhere an answer can carry text:
 * a message answer (text `message …`), or a task whose working status
 * message, artifact chunk and completed status carry it.
 */
function injectingExecutor (text: string): AgentExecutor {
  const agentMessage = (t: string, taskId: string, contextId: string): Message =>
    ({ messageId: randomUUID(), contextId, taskId, role: Role.ROLE_AGENT, parts: [textPart(t)], metadata: undefined, extensions: [], referenceTaskIds: [] })
  return {
    async execute (ctx, bus) {
      const { taskId, contextId } = ctx
      const asked = ctx.userMessage.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('')
      if (asked.startsWith('message')) {
        bus.publish(AgentEvent.message(agentMessage(`message ${text}`, '', contextId)))
        bus.finished()
        return
      }
      const status = (state: TaskState, t: string): ReturnType<typeof AgentEvent.statusUpdate> => AgentEvent.statusUpdate({ taskId, contextId, metadata: undefined, status: { state, message: agentMessage(t, taskId, contextId), timestamp: new Date().toISOString() } })
      bus.publish(AgentEvent.task({ id: taskId, contextId, artifacts: [], history: [ctx.userMessage], metadata: undefined, status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() } }))
      bus.publish(status(TaskState.TASK_STATE_WORKING, `status ${text}`))
      bus.publish(AgentEvent.artifactUpdate({ taskId, contextId, append: false, lastChunk: true, metadata: undefined, artifact: { artifactId: 'out', name: 'result', description: '', parts: [textPart(`artifact ${text}`)], metadata: undefined, extensions: [] } }))
      bus.publish(status(TaskState.TASK_STATE_COMPLETED, 'done'))
      bus.finished()
    },
    async cancelTask () {}
  }
}

/**
 * The answers of a stock SDK agent that writes `text` into its message
 * answers, status messages and artifact chunks, captured on the wire from
 * a stock SDK client: SendMessage (a Message, then a Task) and
 * SendStreamingMessage (task, statusUpdate, artifactUpdate, statusUpdate).
 */
export async function captureInjectedAnswers (text: string): Promise<Exchange[]> {
  const card: AgentCard = {
    name: 'injector', description: 'answers with injected text', version: '1.0.0',
    supportedInterfaces: [{ url: 'http://placeholder', protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' }],
    capabilities: { streaming: true, pushNotifications: false, extensions: [] },
    defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'],
    skills: [], securitySchemes: {}, securityRequirements: [], signatures: [], provider: undefined
  } as unknown as AgentCard
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), injectingExecutor(text))
  const app = express()
  app.use(`/injector/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: handler }))
  app.use('/injector', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }))
  const server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => { resolve(s) }) })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/injector`
  ;(card as unknown as { supportedInterfaces: Array<{ url: string }> }).supportedInterfaces[0]!.url = url
  const log: Exchange[] = []
  const pending: Array<Promise<void>> = []
  try {
    const client = await clientFactory(recordingFetch(log, pending)).createFromUrl(`${url}/`)
    await client.sendMessage(textRequest('message please'))
    await client.sendMessage(textRequest('task please'))
    for await (const _ of client.sendMessageStream(textRequest('stream please'))) { /* drain */ }
    await Promise.all(pending)
  } finally {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => { resolve() }))
  }
  return log
}
