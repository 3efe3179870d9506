/**
 * Two daemons on one machine, one A2A agent behind daemon B, and a stock
 * @a2a-js/sdk client talking to it through daemon A. The mesh is closed: an
 * authority made with the CLI certifies both hosts first.
 *
 *   npm run build && node dist/examples/two-agents/run.js
 *
 * (Node 22 or newer; `node_modules/.bin/node` is the Node 22 the project pins.)
 * See README.md next to this file for what each step shows.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import express from 'express'
import { Agent, fetch as undiciFetch } from 'undici'
import { AGENT_CARD_PATH, Role, TaskState, type AgentCard, type Message, type Part, type SendMessageRequest, type StreamResponse, type Task } from '@a2a-js/sdk'
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from '@a2a-js/sdk/server'
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import { ClientFactory, ClientFactoryOptions, DefaultAgentCardResolver, JsonRpcTransportFactory } from '@a2a-js/sdk/client'

/** The agentmesh CLI of this repository (dist/examples/two-agents → the repo root). */
const BIN = resolve(import.meta.dirname, '../../../bin/agentmesh.js')

const say = (line: string): void => { process.stdout.write(`${line}\n`) }
/** An argument as a user would type it in a POSIX shell. */
const shellQuote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)
const indent = (s: string, by = '     '): string => s.replace(/^/gm, by)
/** The lines of `out` that match `keep`, indented. */
const pick = (out: string, keep: RegExp): string => indent(out.split('\n').filter((l) => keep.test(l)).join('\n'))

// ------------------------------------------------------------------ the agent

const text = (t: string): Part => ({ content: { $case: 'text', value: t }, mediaType: 'text/plain', filename: '', metadata: undefined })
const agentMessage = (t: string, taskId: string, contextId: string): Message => ({
  messageId: crypto.randomUUID(), contextId, taskId, role: Role.ROLE_AGENT, parts: [text(t)], metadata: undefined, extensions: [], referenceTaskIds: []
})
const sleep = async (ms: number): Promise<void> => { await new Promise((r) => setTimeout(r, ms)) }

/**
 * An echo agent that "types" its answer: it opens a task, sends the echoed
 * text back one word at a time as artifact chunks (100 ms apart), then
 * completes. A blocking SendMessage gets the finished Task; a streaming one
 * sees every step as it happens.
 */
const echoExecutor: AgentExecutor = {
  async execute (ctx, bus) {
    const { taskId, contextId } = ctx
    const input = ctx.userMessage.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('')
    const now = (): string => new Date().toISOString()
    bus.publish(AgentEvent.task({
      id: taskId, contextId, artifacts: [], history: [ctx.userMessage], metadata: undefined,
      status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: now() }
    }))
    bus.publish(AgentEvent.statusUpdate({ taskId, contextId, metadata: undefined, status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: now() } }))
    const words = `echo: ${input}`.split(/(?<= )/)
    for (const [i, word] of words.entries()) {
      await sleep(100)
      bus.publish(AgentEvent.artifactUpdate({
        taskId, contextId, append: i > 0, lastChunk: i === words.length - 1, metadata: undefined,
        artifact: { artifactId: 'reply', name: 'reply', description: '', parts: [text(word)], metadata: undefined, extensions: [] }
      }))
    }
    bus.publish(AgentEvent.statusUpdate({
      taskId, contextId, metadata: undefined,
      status: { state: TaskState.TASK_STATE_COMPLETED, message: agentMessage('done', taskId, contextId), timestamp: now() }
    }))
    bus.finished()
  },
  async cancelTask () {}
}

/** Serves the agent at http://127.0.0.1:PORT/echo (card at /echo/.well-known/agent-card.json). */
async function startEchoAgent (): Promise<{ url: string, server: Server }> {
  const app = express()
  const server = createServer(app)
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve) })
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/echo`
  const card: AgentCard = {
    name: 'echo',
    description: 'Echoes what it is sent, one word at a time.',
    version: '1.0.0',
    supportedInterfaces: [{ url, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' }],
    provider: undefined,
    capabilities: { streaming: true, pushNotifications: false, extensions: [] },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [{ id: 'echo', name: 'echo', description: 'echo the input', tags: ['demo'], examples: ['hello'], inputModes: [], outputModes: [], securityRequirements: [] }],
    signatures: []
  }
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), echoExecutor)
  app.use(`/echo/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: handler }))
  app.use('/echo', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }))
  return { url, server }
}

// ------------------------------------------------------------------ daemons

interface Daemon { name: string, home: string, peerId: string, addresses: string[], apiSocket: string, proc: ChildProcess, log: () => string }

/** `agentmesh daemon --json` on loopback, mDNS off; resolves on its ready line. */
async function startDaemon (name: string, home: string, extra: string[] = []): Promise<Daemon> {
  mkdirSync(home, { recursive: true, mode: 0o700 })
  const proc = spawn(process.execPath, [BIN, 'daemon', '--json', '--home', home, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--log-level', 'warn', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.add(proc) // stopped by shutdown(), even before it is ready
  let log = ''
  proc.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-8000) })
  const ready = await new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`daemon ${name} not ready after 30 s:\n${log}`)) }, 30_000)
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try { const msg = JSON.parse(line); if (msg.event === 'ready') { clearTimeout(timer); resolve(msg) } } catch {}
    })
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`daemon ${name} exited with ${code}:\n${log}`)) })
  })
  return { name, home, peerId: ready.peerId, addresses: ready.addresses, apiSocket: ready.apiSocket ?? join(home, 'api.sock'), proc, log: () => log }
}

/** SIGTERM, and SIGKILL if it has not exited 5 s later. */
async function stopProc (proc: ChildProcess): Promise<void> {
  if (proc.exitCode != null || proc.signalCode != null) return
  const exited = new Promise((r) => proc.once('exit', r))
  proc.kill('SIGTERM')
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

/** Echoes `$ agentmesh ARGS…`, runs it and returns its stdout; throws on a non-zero exit. */
async function cli (args: string[]): Promise<string> {
  say(`   $ agentmesh ${args.map(shellQuote).join(' ')}`)
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(proc)
  let out = ''
  let err = ''
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000)
  const code = await new Promise<number | null>((r) => proc.once('close', r))
  clearTimeout(timer)
  if (code !== 0) throw new Error(`agentmesh ${args.join(' ')} exited with ${code}: ${err || out}`)
  return out.trim()
}

/** One JSON call on a daemon's Unix-socket API. */
async function api (d: Daemon, method: string, path: string): Promise<{ status: number, body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: d.apiSocket, method, path, timeout: 10_000 }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => { body += c.toString() })
      res.on('end', () => { try { resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) }) } catch { resolve({ status: res.statusCode ?? 0, body }) } })
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

async function until<T> (what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const v = await check().catch(() => undefined)
    if (v !== undefined) return v
    await sleep(100)
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}

// ------------------------------------------------------------------ the client

const request1 = (t: string): SendMessageRequest => ({
  tenant: '',
  message: { messageId: crypto.randomUUID(), contextId: '', taskId: '', role: Role.ROLE_USER, parts: [text(t)], metadata: undefined, extensions: [], referenceTaskIds: [] },
  configuration: undefined,
  metadata: undefined
})
const partsText = (parts: Part[] | undefined): string => (parts ?? []).map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('')
const stateName = (s: TaskState | undefined): string => (s == null ? '?' : (TaskState[s] ?? String(s)).replace('TASK_STATE_', '').toLowerCase())

function describe (ev: StreamResponse): string {
  const p = ev.payload
  switch (p?.$case) {
    case 'task': return `task ${p.value.id.slice(0, 8)}… ${stateName(p.value.status?.state)}`
    case 'statusUpdate': return `status ${stateName(p.value.status?.state)}${p.value.status?.message != null ? ` "${partsText(p.value.status.message.parts)}"` : ''}`
    case 'artifactUpdate': return `artifact chunk ${JSON.stringify(partsText(p.value.artifact?.parts))}`
    case 'message': return `message "${partsText(p.value.parts)}"`
    default: return 'empty event'
  }
}

// ------------------------------------------------------------------ main

const root = mkdtempSync(join(tmpdir(), 'am-ex-'))
const daemons: Daemon[] = []
/** Every daemon and CLI process this example started. */
const children = new Set<ChildProcess>()
let agentServer: Server | undefined
let dispatcher: Agent | undefined

let stopping: Promise<void> | undefined
async function shutdown (): Promise<void> {
  stopping ??= (async () => {
    await dispatcher?.close().catch(() => {})
    await Promise.all([...children].map(stopProc))
    agentServer?.closeAllConnections()
    agentServer?.close()
    rmSync(root, { recursive: true, force: true })
  })()
  return stopping
}
let interrupted = false
const onSignal = (): void => {
  interrupted = true
  say('interrupted: shutting down')
  void shutdown().finally(() => process.exit(130))
}
process.once('SIGINT', onSignal)
process.once('SIGTERM', onSignal)

try {
  // 1. The agent: an ordinary A2A server on loopback; it knows nothing of agentmesh.
  const agent = await startEchoAgent()
  agentServer = agent.server
  say(`1. echo agent listening on ${agent.url}`)

  // 2. The mesh is closed: an authority certifies each host before its daemon
  //    may meet the other. B may run `echo` (an orchestrator, so that A's
  //    operator may call it under the authority's first policy, the example
  //    hierarchy policy). A runs no agent; `cert issue` needs at least one
  //    --agent, so it names one A does not run.
  const auth = join(root, 'authority')
  const homes = { a: join(root, 'a'), b: join(root, 'b') }
  say('2. an authority, and a certificate for each host')
  say(pick(await cli(['authority', 'init', '--authority', auth]), /^created authority|policy:/))
  for (const [h, grant] of [['b', 'echo:orchestrator'], ['a', 'client:orchestrator']] as const) {
    const peer = JSON.parse(await cli(['init', '--home', homes[h], '--json'])).peerId as string
    say(`     peer ID ${peer}`)
    const bundle = join(root, `${h}.bundle`)
    say(pick(await cli(['cert', 'issue', '--authority', auth, '--peer', peer, '--agent', grant, '--out', bundle]), /^issued|agents:/))
    say(pick(await cli(['join', bundle, '--home', homes[h]]), /^installed/))
  }

  // 3. Two daemons, each with its own home. A bootstraps to B.
  const b = await startDaemon('B', homes.b)
  daemons.push(b)
  const bAddr = b.addresses.find((a) => a.startsWith('/ip4/127.0.0.1/')) ?? b.addresses[0]!
  const a = await startDaemon('A', homes.a, ['--bootstrap', bAddr.includes('/p2p/') ? bAddr : `${bAddr}/p2p/${b.peerId}`])
  daemons.push(a)
  say(`3. daemon B ${b.peerId}\n   daemon A ${a.peerId} (bootstrap ${bAddr})`)
  await until("A to verify B's certificate", 15_000, async () => {
    const r = await api(a, 'GET', '/v1/trust')
    return r.body?.verifiedPeers?.some((p: any) => p.peer === b.peerId) === true ? true : undefined
  })
  say("   A has verified B's certificate (and B A's)")

  // 4. Register the agent with daemon B, as a user would.
  say('4. register the agent on B')
  say(pick(await cli(['agent', 'add', 'echo', '--url', agent.url, '--home', b.home]), /^registered|^caller token|^\s*amt_/))

  // 5. On A, look the agent up in the mesh directory (falls back to the explicit address).
  let address = `echo@${b.peerId}`
  try {
    const entry = await until('the directory to list echo on B', 10_000, async () => {
      const r = await api(a, 'GET', '/v1/directory/echo')
      return r.body?.providers?.find((p: any) => p.peer === b.peerId)
    })
    address = String(entry.address ?? address)
    say(`5. A's directory: echo is provided by ${address}`)
  } catch (err) {
    say(`5. ${(err as Error).message}; using ${address}`)
  }

  // 6. A stock SDK client whose fetch goes to A's Unix socket. Nothing else is agentmesh-specific.
  //    It sends no caller token, so it acts as A's operator, whom the policy lets call orchestrators.
  dispatcher = new Agent({ connect: { socketPath: a.apiSocket } })
  const d = dispatcher
  const fetchImpl = ((input: any, init?: any) => undiciFetch(input, { ...init, dispatcher: d })) as unknown as typeof fetch
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    transports: [new JsonRpcTransportFactory({ fetchImpl })],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl })
  }))
  const baseUrl = `http://localhost/a2a/${address}/`
  const client = await factory.createFromUrl(baseUrl)
  say(`6. SDK client for ${baseUrl} (over ${a.apiSocket})`)

  const question = 'hello over the mesh'
  let t0 = performance.now()
  const reply = await client.sendMessage(request1(question))
  if ('messageId' in reply) {
    say(`   SendMessage "${question}" → message "${partsText(reply.parts)}" (${(performance.now() - t0).toFixed(0)} ms)`)
  } else {
    const task: Task = reply
    say(`   SendMessage "${question}" → task ${stateName(task.status?.state)}, artifact "${task.artifacts.map((x) => partsText(x.parts)).join('')}" (${(performance.now() - t0).toFixed(0)} ms)`)
  }

  const streamed = 'stream these words one at a time'
  say(`   SendStreamingMessage "${streamed}":`)
  t0 = performance.now()
  let received = ''
  for await (const ev of client.sendMessageStream(request1(streamed))) {
    say(`     +${(performance.now() - t0).toFixed(0).padStart(4)} ms  ${describe(ev)}`)
    if (ev.payload?.$case === 'artifactUpdate') received += partsText(ev.payload.value.artifact?.parts)
  }
  say(`   streamed reply: "${received}"`)

  // 7. The same from the command line.
  say('7. the same from the command line, on A')
  say(indent(await cli(['send', address, 'hi from the CLI', '--home', a.home])))

  say('8. shutting down')
} catch (err) {
  process.exitCode = 1
  if (!interrupted) process.stderr.write(`two-agents example failed: ${(err as Error).stack ?? String(err)}\n`)
  if (!interrupted) for (const d of daemons) process.stderr.write(`--- daemon ${d.name} log ---\n${d.log()}\n`)
} finally {
  await shutdown()
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
}
