/**
 * A closed mesh of three daemons: an orchestrator on A, its two specialists on
 * B and C, one authority, and the example hierarchy policy deciding who may
 * call whom.
 *
 *   npm run build && node dist/examples/hierarchy/run.js
 *
 * (Node 22 or newer; `node_modules/.bin/node` is the Node 22 the project pins.)
 * See README.md next to this file for what each step shows.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import express from 'express'
import { Agent, fetch as undiciFetch } from 'undici'
import { AGENT_CARD_PATH, Role, type AgentCard, type Message, type Part, type SendMessageRequest } from '@a2a-js/sdk'
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from '@a2a-js/sdk/server'
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import { ClientFactory, ClientFactoryOptions, DefaultAgentCardResolver, JsonRpcTransportFactory, type Client } from '@a2a-js/sdk/client'

/** The agentmesh CLI of this repository (dist/examples/hierarchy → the repo root). */
const BIN = resolve(import.meta.dirname, '../../../bin/agentmesh.js')

const say = (line: string): void => { process.stdout.write(`${line}\n`) }
/** An argument as a user would type it in a POSIX shell. */
const shellQuote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)
const indent = (s: string, by = '     '): string => s.replace(/^/gm, by)
const sleep = async (ms: number): Promise<void> => { await new Promise((r) => setTimeout(r, ms)) }

// ------------------------------------------------------------------ A2A plumbing

const text = (t: string): Part => ({ content: { $case: 'text', value: t }, mediaType: 'text/plain', filename: '', metadata: undefined })
const partsText = (parts: Part[] | undefined): string => (parts ?? []).map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('')
const userRequest = (t: string): SendMessageRequest => ({
  tenant: '',
  message: { messageId: crypto.randomUUID(), contextId: '', taskId: '', role: Role.ROLE_USER, parts: [text(t)], metadata: undefined, extensions: [], referenceTaskIds: [] },
  configuration: undefined,
  metadata: undefined
})
const agentReply = (t: string, contextId: string): Message => ({
  messageId: crypto.randomUUID(), contextId, taskId: '', role: Role.ROLE_AGENT, parts: [text(t)], metadata: undefined, extensions: [], referenceTaskIds: []
})

/** The text of a SendMessage result: a Message, or a Task's artifacts (or its last status message). */
function replyText (reply: Awaited<ReturnType<Client['sendMessage']>>): string {
  if ('messageId' in reply) return partsText(reply.parts)
  const artifacts = reply.artifacts.map((a) => partsText(a.parts)).join('')
  return artifacts !== '' ? artifacts : partsText(reply.status?.message?.parts)
}

/**
 * An agent that answers every message with one Message: `answer(input)`.
 * It is an ordinary A2A v1.0 server (@a2a-js/sdk + express) on
 * http://127.0.0.1:PORT/NAME and knows nothing of agentmesh.
 */
async function startAgent (name: string, description: string, answer: (input: string) => Promise<string>): Promise<{ name: string, url: string, server: Server, calls: () => number }> {
  let calls = 0
  const app = express()
  const server = createServer(app)
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve) })
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/${name}`
  const card: AgentCard = {
    name,
    description,
    version: '1.0.0',
    supportedInterfaces: [{ url, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' }],
    provider: undefined,
    capabilities: { streaming: false, pushNotifications: false, extensions: [] },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [{ id: name, name, description, tags: ['demo'], examples: [], inputModes: [], outputModes: [], securityRequirements: [] }],
    signatures: []
  }
  const executor: AgentExecutor = {
    async execute (ctx, bus) {
      calls++
      const input = partsText(ctx.userMessage.parts)
      let out: string
      try { out = await answer(input) } catch (err) { out = `${name} failed: ${(err as Error).message}` }
      bus.publish(AgentEvent.message(agentReply(out, ctx.contextId)))
      bus.finished()
    },
    async cancelTask () {}
  }
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor)
  app.use(`/${name}/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: handler }))
  app.use(`/${name}`, jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }))
  return { name, url, server, calls: () => calls }
}

/**
 * A stock SDK client for `address` (name@peer) through the daemon whose API
 * socket is `dispatcher`'s. With a caller token, every request (the card GET
 * and the JSON-RPC calls) carries `Authorization: Bearer <token>` and so acts
 * as that agent; without one it acts as the host's operator.
 */
async function meshClient (dispatcher: Agent, address: string, token?: string): Promise<Client> {
  const fetchImpl = ((input: any, init?: any) => {
    const headers = new Headers(init?.headers)
    if (token != null) headers.set('Authorization', `Bearer ${token}`)
    return undiciFetch(input, { ...init, headers, dispatcher })
  }) as unknown as typeof fetch
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    transports: [new JsonRpcTransportFactory({ fetchImpl })],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl })
  }))
  return factory.createFromUrl(`http://localhost/a2a/${address}/`) // the trailing slash matters
}

// ------------------------------------------------------------------ daemons and the CLI

interface Daemon { name: string, home: string, peerId: string, addresses: string[], apiSocket: string, proc: ChildProcess, log: () => string }

/** `agentmesh daemon --json` on loopback, mDNS off; resolves on its ready line. */
async function startDaemon (name: string, home: string, extra: string[] = []): Promise<Daemon> {
  const proc = spawn(process.execPath, [BIN, 'daemon', '--json', '--home', home, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0', '--log-level', 'warn', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  daemonProcs.push(proc) // stopped by shutdown(), even before it is ready
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

async function stopProc (proc: ChildProcess): Promise<void> {
  if (proc.exitCode != null || proc.signalCode != null) return
  const exited = new Promise((r) => proc.once('exit', r))
  proc.kill('SIGTERM')
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

/**
 * Echoes `$ agentmesh ARGS…` and runs it. Returns its exit code and output;
 * throws on an exit code not in `ok` (default: only 0).
 */
async function agentmesh (args: string[], ok: number[] = [0]): Promise<{ code: number | null, out: string }> {
  say(`   $ agentmesh ${args.map(shellQuote).join(' ')}`)
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  cliProcs.add(proc)
  proc.once('exit', () => cliProcs.delete(proc))
  let out = ''
  let err = ''
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000)
  const code = await new Promise<number | null>((r) => proc.once('close', r))
  clearTimeout(timer)
  if (!ok.includes(code ?? -1)) throw new Error(`agentmesh ${args.join(' ')} exited with ${code}: ${err || out}`)
  return { code, out: out.trim() }
}

/** The lines of `out` that match `keep`, indented. */
const pick = (out: string, keep: RegExp): string => indent(out.split('\n').filter((l) => keep.test(l)).join('\n'))

/** One JSON GET on a daemon's Unix-socket API. */
async function apiGet (d: Daemon, path: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: d.apiSocket, method: 'GET', path, timeout: 10_000 }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => { body += c.toString() })
      res.on('end', () => { try { resolve(JSON.parse(body)) } catch { resolve(body) } })
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

async function until (what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await sleep(100)
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}

/** Whether daemon `d` has verified `peer`'s certificate (hello done). */
const verified = async (d: Daemon, peer: string): Promise<boolean> =>
  (await apiGet(d, '/v1/trust'))?.verifiedPeers?.some((p: any) => p.peer === peer) === true

const short = (peer: string): string => `${peer.slice(0, 16)}…`

// ------------------------------------------------------------------ main

const root = mkdtempSync(join(tmpdir(), 'am-hier-'))
const daemonProcs: ChildProcess[] = []
const cliProcs = new Set<ChildProcess>()
const daemons: Daemon[] = []
const servers: Server[] = []
const dispatchers: Agent[] = []
let shuttingDown: Promise<void> | undefined

async function shutdown (): Promise<void> {
  shuttingDown ??= (async () => {
    await Promise.all(dispatchers.map(async (d) => d.close().catch(() => {})))
    await Promise.all([...daemonProcs, ...cliProcs].map(stopProc))
    for (const s of servers) { s.closeAllConnections(); s.close() }
    rmSync(root, { recursive: true, force: true })
  })()
  return shuttingDown
}
let interrupted = false
const onSignal = (): void => {
  interrupted = true
  say('interrupted: shutting down')
  void shutdown().finally(() => process.exit(130))
}
process.once('SIGINT', onSignal)
process.once('SIGTERM', onSignal)

const t0 = performance.now()
try {
  const auth = join(root, 'authority')
  const home = { a: join(root, 'a'), b: join(root, 'b'), c: join(root, 'c') }

  // 1. The authority: the mesh's root of trust, in a folder of its own.
  say('1. the authority')
  say(pick((await agentmesh(['authority', 'init', '--authority', auth])).out, /^created authority|policy:/))

  // 2. Three homes; each has an identity, hence a peer ID, before any daemon runs.
  say('2. three homes (one per host)')
  const peer: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' }
  for (const h of ['a', 'b', 'c'] as const) {
    peer[h] = JSON.parse((await agentmesh(['init', '--home', home[h], '--json'])).out).peerId
    say(`     peer ID ${peer[h]}`)
  }

  // 3. One certificate per host, naming the agents it may run, and its join bundle.
  say('3. one certificate per host')
  const grants = { a: 'planner:orchestrator', b: 'search:specialist:planner', c: 'writer:specialist:planner' }
  for (const h of ['a', 'b', 'c'] as const) {
    const bundle = join(root, `${h}.bundle`)
    const issued = await agentmesh(['cert', 'issue', '--authority', auth, '--peer', peer[h], '--agent', grants[h], '--out', bundle])
    say(pick(issued.out, /^issued|agents:/))
    say(pick((await agentmesh(['join', bundle, '--home', home[h]])).out, /^installed/))
  }

  // 4. The agents: three ordinary A2A servers on loopback.
  const dispatcherA = new Agent({ connect: { socketPath: join(home.a, 'api.sock') } })
  const dispatcherB = new Agent({ connect: { socketPath: join(home.b, 'api.sock') } })
  dispatchers.push(dispatcherA, dispatcherB)
  const tokens: Record<string, string> = {}

  const search = await startAgent('search', 'Finds sources on a topic.', async (q) => `3 sources on "${q}"`)
  const writer = await startAgent('writer', 'Drafts a paragraph on a topic.', async (q) => `a 120-word draft on "${q}"`)
  // The orchestrator calls both specialists through ITS OWN daemon (A), as itself (its caller token).
  const planner = await startAgent('planner', 'Plans a piece of writing with its specialists.', async (topic) => {
    const ask = async (address: string): Promise<string> => {
      const client = await meshClient(dispatcherA, address, tokens.planner)
      return replyText(await client.sendMessage(userRequest(topic)))
    }
    const [found, drafted] = await Promise.all([ask(`search@${peer.b}`), ask(`writer@${peer.c}`)])
    return `plan for "${topic}":\n  search said: ${found}\n  writer said: ${drafted}`
  })
  servers.push(search.server, writer.server, planner.server)
  say(`4. agents: planner ${planner.url}, search ${search.url}, writer ${writer.url}`)

  // 5. Three daemons on loopback. B and C bootstrap to A.
  say('5. three daemons (loopback, mDNS off); B and C bootstrap to A')
  const a = await startDaemon('A', home.a)
  daemons.push(a)
  const aAddr = a.addresses.find((x) => x.startsWith('/ip4/127.0.0.1/')) ?? a.addresses[0]!
  const boot = aAddr.includes('/p2p/') ? aAddr : `${aAddr}/p2p/${a.peerId}`
  const [b, c] = await Promise.all([startDaemon('B', home.b, ['--bootstrap', boot]), startDaemon('C', home.c, ['--bootstrap', boot])])
  daemons.push(b, c)
  say(`   A ${a.peerId} ${aAddr}\n   B ${b.peerId} --bootstrap A\n   C ${c.peerId} --bootstrap A`)
  await until('A to verify B and C', 15_000, async () => (await verified(a, b.peerId)) && (await verified(a, c.peerId)))
  say('   A has verified the certificates of B and C')

  // 6. Register each agent with its host's daemon; each gets its caller token, shown once.
  say('6. register the agents')
  for (const [d, agent] of [[a, planner], [b, search], [c, writer]] as const) {
    const reg = JSON.parse((await agentmesh(['agent', 'add', agent.name, '--url', agent.url, '--home', d.home, '--json'])).out)
    tokens[agent.name] = String(reg.token)
    say(`     registered ${agent.name}@${short(d.peerId)}${reg.role != null ? ` as ${reg.role}` : ''}${reg.parent != null ? ` (parent ${reg.parent})` : ''}, token ${String(reg.token).slice(0, 8)}…`)
  }

  // (1) The operator of A calls the orchestrator: a stock SDK client on A's socket, no token.
  const topic = 'peer-to-peer meshes for AI agents'
  say(`7. the operator calls planner@${short(a.peerId)} through A (SDK client, no token) with "${topic}"`)
  let started = performance.now()
  const combined = replyText(await (await meshClient(dispatcherA, `planner@${a.peerId}`)).sendMessage(userRequest(topic)))
  say(`   reply (${(performance.now() - started).toFixed(0)} ms):\n${indent(combined, '     ')}`)
  if (!combined.includes('search said: 3 sources') || !combined.includes('writer said: a 120-word draft')) {
    throw new Error(`the orchestrator did not get both specialists' answers: ${combined}`)
  }

  // (2) The specialist search calls its sibling writer, through its own daemon B, as itself.
  say(`8. search calls its sibling writer@${short(c.peerId)} through B (SDK client, search's token)`)
  started = performance.now()
  let denial: { reason?: string, rule?: string, code?: number } | undefined
  try {
    const client = await meshClient(dispatcherB, `writer@${c.peerId}`, tokens.search)
    const reply = await client.sendMessage(userRequest('can you write this for me?'))
    say(`   NOT DENIED: writer answered "${replyText(reply)}"`)
  } catch (err) {
    const e = err as { envelopeCode?: number, data?: { reason?: string, rule?: string }, }
    denial = { code: e.envelopeCode, reason: e.data?.reason, rule: e.data?.rule }
    say(`   denied (${(performance.now() - started).toFixed(0)} ms): JSON-RPC error ${e.envelopeCode ?? '?'}, data ${JSON.stringify(e.data ?? null)}`)
    say(`   reason ${e.data?.reason ?? '?'}, rule ${e.data?.rule ?? '?'}`)
  }
  if (denial?.reason !== 'POLICY_DENIED') throw new Error('the sibling call was not denied by the policy')
  // B refused it itself, before the task left the host: writer only ever saw planner's call.
  const egress = String(await apiGet(b, '/metrics')).split('\n').find((l) => l.startsWith('agentmesh_policy_denied_total{') && l.includes('side="egress"'))
  say(`   B's /metrics: ${egress ?? '(no egress denial counted)'}`)
  say(`   writer has been called ${writer.calls()} time(s)${writer.calls() === 1 ? ', by planner only' : ''}`)

  // (3) The same question, asked of B's daemon from the command line. Exit code 1 means "deny".
  say('9. ask B why')
  const explained = await agentmesh(['policy', 'explain', `search@${b.peerId}`, `writer@${c.peerId}`, '--home', b.home], [0, 1])
  say(`${indent(explained.out)}\n     (exit code ${explained.code}: ${explained.code === 1 ? 'denied' : 'allowed'})`)

  // (4) A's view of the closed mesh.
  say('10. A\'s trust')
  say(pick((await agentmesh(['status', '--home', a.home])).out, /^trust:/))

  say(`11. shutting down (ran ${((performance.now() - t0) / 1000).toFixed(1)} s)`)
} catch (err) {
  process.exitCode = 1
  if (!interrupted) process.stderr.write(`hierarchy example failed: ${(err as Error).stack ?? String(err)}\n`)
  if (!interrupted) for (const d of daemons) process.stderr.write(`--- daemon ${d.name} log ---\n${d.log()}\n`)
} finally {
  await shutdown()
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
}
