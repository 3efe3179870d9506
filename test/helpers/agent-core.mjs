// Test A2A agents built on the stock @a2a-js/sdk 1.3.0 server (express 5).
// Plain JavaScript so that the same code runs in the test process (test/helpers/agents.ts)
// and as a child process (test/helpers/agent-process.mjs, which needs no TypeScript loader).
// Types: agent-core.d.mts.
import { createHash } from 'node:crypto'
import express from 'express'
import { AGENT_CARD_PATH, Role, TaskState } from '@a2a-js/sdk'
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server'
import { UserBuilder, agentCardHandler, jsonRpcHandler } from '@a2a-js/sdk/server/express'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const textPart = (text) => ({ content: { $case: 'text', value: text }, mediaType: 'text/plain', filename: '', metadata: undefined })

const agentMessage = (text, taskId = '', contextId = '') => ({
  messageId: crypto.randomUUID(),
  contextId,
  taskId,
  role: Role.ROLE_AGENT,
  parts: [textPart(text)],
  metadata: undefined,
  extensions: [],
  referenceTaskIds: []
})

const userText = (ctx) => ctx.userMessage.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('')

/** The bytes of the request's file (`raw`) parts, joined. */
const userRaw = (ctx) => Buffer.concat(ctx.userMessage.parts.map((p) => (p.content?.$case === 'raw' ? Buffer.from(p.content.value) : Buffer.alloc(0))))

/** `size` bytes in a fixed pattern, so the receiver can check them without a copy: byte i is (i * 31 + 7) mod 251. */
export function patternBytes (size) {
  const out = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) % 251
  return out
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')

/** Counts one delivery of the request's user message. */
function count (received, ctx) {
  const id = ctx.userMessage?.messageId ?? ''
  received.set(id, (received.get(id) ?? 0) + 1)
}

/**
 * Replies with one Message `echo: <text>`, or with what `onMessage(text,
 * metadata)` answers (an agent that calls other agents); creates no task.
 * Records each message's metadata in `metadatas`.
 */
function echoExecutor (received, metadatas, onMessage) {
  return {
    async execute (ctx, bus) {
      count(received, ctx)
      metadatas.push(ctx.userMessage?.metadata ?? null)
      const reply = onMessage != null ? await onMessage(userText(ctx), ctx.userMessage?.metadata ?? undefined) : `echo: ${userText(ctx)}`
      bus.publish(AgentEvent.message(agentMessage(reply, '', ctx.contextId)))
      bus.finished()
    },
    async cancelTask () {}
  }
}

/**
 * Creates a task, then: working, 3 artifact chunks (10 ms apart), completed.
 * Text containing `slow` makes 20 chunks 200 ms apart (time to cancel); `boom`
 * throws after the chunks; `ticks:N:MS` makes N chunks `tickI ` MS apart (a
 * long stream); `artifact:BYTES` answers with one artifact holding a text part
 * `received <size> <sha256>` (of the request's file parts) and a file part of
 * BYTES pattern bytes ({@link patternBytes}). Cancellable.
 */
function taskExecutor (received, chunkDelayMs) {
  const canceled = new Set()
  const contexts = new Map()
  return {
    async execute (ctx, bus) {
      count(received, ctx)
      const { taskId, contextId } = ctx
      contexts.set(taskId, contextId)
      const status = (state, text) => AgentEvent.statusUpdate({
        taskId,
        contextId,
        metadata: undefined,
        status: { state, message: text ? agentMessage(text, taskId, contextId) : undefined, timestamp: new Date().toISOString() }
      })
      if (!ctx.task) {
        // The first event must be the task (or a message).
        bus.publish(AgentEvent.task({
          id: taskId,
          contextId,
          artifacts: [],
          history: [ctx.userMessage],
          metadata: undefined,
          status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() }
        }))
      }
      bus.publish(status(TaskState.TASK_STATE_WORKING, 'working'))
      const text = userText(ctx)
      const big = /artifact:(\d+)/.exec(text)
      const ticks = /ticks:(\d+):(\d+)/.exec(text)
      const slow = text.includes('slow')
      const steps = ticks != null ? Number(ticks[1]) : big != null ? 1 : slow ? 20 : 3
      const delay = ticks != null ? Number(ticks[2]) : slow ? 200 : chunkDelayMs
      for (let i = 0; i < steps; i++) {
        await sleep(delay)
        if (canceled.has(taskId)) return // cancelTask already published CANCELED
        let parts = [textPart(ticks != null ? `tick${i} ` : `chunk${i} `)]
        if (big != null) {
          const raw = userRaw(ctx)
          const file = { content: { $case: 'raw', value: patternBytes(Number(big[1])) }, mediaType: 'application/octet-stream', filename: 'artifact.bin', metadata: undefined }
          parts = [textPart(`received ${raw.length} ${sha256(raw)}`), file]
        }
        bus.publish(AgentEvent.artifactUpdate({
          taskId,
          contextId,
          append: i > 0,
          lastChunk: i === steps - 1,
          metadata: undefined,
          artifact: { artifactId: 'out', name: 'result', description: '', parts, metadata: undefined, extensions: [] }
        }))
      }
      if (text.includes('boom')) throw new Error('agent exploded')
      bus.publish(status(TaskState.TASK_STATE_COMPLETED, 'done'))
      bus.finished()
    },
    async cancelTask (taskId, bus) {
      // Must publish CANCELED, else CancelTask answers -32002.
      canceled.add(taskId)
      const contextId = contexts.get(taskId) ?? ''
      bus.publish(AgentEvent.statusUpdate({
        taskId,
        contextId,
        metadata: undefined,
        status: { state: TaskState.TASK_STATE_CANCELED, message: agentMessage('canceled', taskId, contextId), timestamp: new Date().toISOString() }
      }))
      bus.finished()
    }
  }
}

function agentCard (name, kind, url) {
  return {
    name,
    description: `${kind} test agent`,
    version: '1.0.0',
    supportedInterfaces: [{ url, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' }],
    capabilities: { streaming: true, pushNotifications: false, extensions: [] },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [{ id: kind, name: kind, description: `${kind} skill`, tags: [kind], examples: [], inputModes: [], outputModes: [], securityRequirements: [] }],
    securitySchemes: {},
    securityRequirements: [],
    signatures: [],
    provider: undefined
  }
}

/**
 * Starts one agent on `host:port` (default 127.0.0.1:0), served under `/<name>`:
 * card at `/<name>/.well-known/agent-card.json`, JSON-RPC at `/<name>`.
 * `GET /count` answers the deliveries per messageId as a JSON object.
 */
export async function startAgentServer ({ kind, name, host = '127.0.0.1', port = 0, chunkDelayMs = 10, onMessage }) {
  if (kind !== 'echo' && kind !== 'task') throw new Error(`unknown agent kind ${kind}`)
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`agent name ${JSON.stringify(name)} does not fit in a URL path`)
  const received = new Map()
  const metadatas = []
  const card = agentCard(name, kind, 'http://placeholder')
  const executor = kind === 'echo' ? echoExecutor(received, metadatas, onMessage) : taskExecutor(received, chunkDelayMs)
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor)
  const app = express()
  const traceparents = []
  app.get('/count', (_req, res) => { res.json(Object.fromEntries(received)) })
  // Records the W3C traceparent of each JSON-RPC call, to check it crossed the mesh.
  app.use(`/${name}`, (req, _res, next) => { if (req.method === 'POST' && req.headers.traceparent != null) traceparents.push(req.headers.traceparent); next() })
  app.use(`/${name}/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: handler }))
  // The SDK's own parser takes 100 KB; a test sends files of several MiB.
  app.use(`/${name}`, express.json({ limit: '64mb' }))
  app.use(`/${name}`, jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }))
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, (err) => { if (err) reject(err); else resolve(s) })
    s.once('error', reject)
  })
  const actualPort = server.address().port
  const url = `http://${host}:${actualPort}/${name}`
  // The card's interface URL must be absolute, so it is only known after listen.
  card.supportedInterfaces[0].url = url
  return {
    url,
    port: actualPort,
    name,
    kind,
    received,
    traceparents,
    metadatas,
    server,
    close: async () => {
      await new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}
