import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { startAgentServer, type AgentKind } from './agent-core.mjs'

export type { AgentKind } from './agent-core.mjs'

/** What {@link startAgent} and {@link startAgentProcess} take. */
export interface AgentOptions {
  /** `echo` replies with a Message `echo: <text>`; `task` creates a task: working, 3 artifact chunks, completed (cancellable). */
  kind: AgentKind
  /** Served under `/<name>`; also the card's name. */
  name: string
  /** Default 0: any free port. Pass the old port to restart an agent on the same URL. */
  port?: number
  /** Delay between the task agent's artifact chunks (ms). Default 10. */
  chunkDelayMs?: number
  /** An echo agent answers with this instead (in-process agents only): an agent that calls others. */
  onMessage?: (text: string, metadata: Record<string, unknown> | undefined) => Promise<string>
}

/** A stock @a2a-js/sdk agent running in the test process. */
export interface TestAgent {
  /** Base URL `http://127.0.0.1:PORT/<name>`: what `POST /v1/agents` takes as `url`. */
  url: string
  port: number
  name: string
  /** How often the agent was handed each user messageId. */
  received: Map<string, number>
  /** The traceparent header of every JSON-RPC call received. */
  traceparents: string[]
  /** The metadata of every message received (echo agents). */
  metadatas: Array<Record<string, unknown> | null>
  /** Sum of all deliveries. */
  total(): number
  close(): Promise<void>
}

/** Starts an A2A agent (express + @a2a-js/sdk) on 127.0.0.1 in this process. */
export async function startAgent (options: AgentOptions): Promise<TestAgent> {
  const agent = await startAgentServer({
    kind: options.kind,
    name: options.name,
    ...(options.port != null ? { port: options.port } : {}),
    ...(options.chunkDelayMs != null ? { chunkDelayMs: options.chunkDelayMs } : {}),
    ...(options.onMessage != null ? { onMessage: options.onMessage } : {})
  })
  return {
    url: agent.url,
    port: agent.port,
    name: agent.name,
    received: agent.received,
    traceparents: agent.traceparents,
    metadatas: agent.metadatas,
    total: () => sum(agent.received.values()),
    close: agent.close
  }
}

/** The agent script run by {@link startAgentProcess}. */
export const AGENT_SCRIPT = resolve(import.meta.dirname, 'agent-process.mjs')

/** The same agent as {@link startAgent}, as a child process (it can be killed with SIGKILL). */
export interface AgentProcess {
  url: string
  port: number
  name: string
  pid: number
  child: ChildProcess
  stderr(): string
  /** Deliveries per messageId, from the agent's `GET /count`. */
  counts(): Promise<Map<string, number>>
  /** Sum of all deliveries. */
  total(): Promise<number>
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>
  /** SIGKILL and wait. */
  kill(): Promise<void>
}

/** Runs `agent-process.mjs` with this Node (22) and waits until it listens. */
export async function startAgentProcess (options: AgentOptions & { readyTimeoutMs?: number, prefix?: string[] }): Promise<AgentProcess> {
  const args = [AGENT_SCRIPT, '--kind', options.kind, '--name', options.name, '--port', String(options.port ?? 0)]
  if (options.chunkDelayMs != null) args.push('--chunk-delay', String(options.chunkDelayMs))
  // With a prefix (`ip netns exec NS`), the agent runs inside that network namespace, beside its daemon.
  const [cmd, ...pre] = options.prefix ?? [process.execPath]
  const child = spawn(cmd as string, [...pre, ...(options.prefix != null ? [process.execPath] : []), ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const lines = createInterface({ input: child.stdout! })
  const ready = await new Promise<{ url: string, port: number, pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`agent process not ready in time; stderr:\n${stderr}`)) }, options.readyTimeoutMs ?? 15_000)
    lines.once('line', (line) => {
      clearTimeout(timer)
      try { resolve(JSON.parse(line)) } catch (err) { reject(new Error(`agent process printed ${JSON.stringify(line)}`, { cause: err })) }
    })
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`agent process exited with ${code} before ready; stderr:\n${stderr}`)) })
  })
  const counts = async (): Promise<Map<string, number>> => {
    const url = `http://127.0.0.1:${ready.port}/count`
    const body = options.prefix == null ? await httpGetJson(url) : countsIn(options.prefix, url)
    return new Map(Object.entries(body as Record<string, number>))
  }
  return {
    url: ready.url,
    port: ready.port,
    name: options.name,
    pid: ready.pid,
    child,
    stderr: () => stderr,
    counts,
    total: async () => sum((await counts()).values()),
    stop: async () => { if (child.exitCode == null && child.signalCode == null) child.kill('SIGTERM'); return exited },
    kill: async () => { if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL'); await exited }
  }
}

/** GET `url` from inside a network namespace (its loopback is not ours). */
function countsIn (prefix: string[], url: string): unknown {
  const [cmd, ...pre] = prefix
  const out = spawnSync(cmd as string, [...pre, process.execPath, '-e', `fetch(${JSON.stringify(url)}).then(r => r.text()).then(t => process.stdout.write(t))`], { encoding: 'utf8', timeout: 10_000 })
  return JSON.parse(out.stdout)
}

function sum (values: Iterable<number>): number {
  let total = 0
  for (const v of values) total += v
  return total
}

async function httpGetJson (url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let text = ''
      res.on('data', (d: Buffer) => { text += d.toString() })
      res.on('end', () => {
        try { resolve(JSON.parse(text)) } catch (err) { reject(new Error(`GET ${url} answered ${res.statusCode} ${text}`, { cause: err })) }
      })
    })
    req.on('error', reject)
    req.end()
  })
}
