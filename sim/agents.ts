import { randomUUID } from 'node:crypto'

/** What a scripted agent receives: one A2A request, as its daemon delivered it. */
export interface Delivery {
  peer: string
  agent: string
  method: string
  /** The text of the message's first text part. */
  text: string
  /** The delegation token its daemon put in the message metadata (`agentmesh.delegation`), if any. */
  token: string | undefined
  /** When it arrived (process clock, ms). */
  atMs: number
}

/** How a scripted agent answers: the reply text, now or once its own calls are done (it may also act later, on its own). */
export type Behavior = (d: Delivery) => string | Promise<string>

const BASE = 'https://sim.invalid'

/** The scripted agents that answer for `sim.invalid` now (one mesh runs at a time in a process). */
let current: SimAgents | undefined
let original: typeof fetch | undefined

/**
 * The scripted stand-ins for A2A agents, one table for the whole process.
 * Daemons reach them through the `fetch` they are given (no sockets): a GET
 * of the agent card, a POST of a JSON-RPC request. An agent does whatever the
 * {@link Behavior} of its node says — in the compromise scenario, whatever
 * instructions reach it (the worst case of prompt injection).
 */
export class SimAgents {
  private readonly behaviors = new Map<string, Behavior>()
  /** Requests delivered to each agent (`name@peer`). */
  readonly delivered = new Map<string, number>()
  private fallback: Behavior = () => 'ok'

  /**
   * Makes this table answer every fetch of a `https://sim.invalid/…` URL in
   * this process; other URLs go to the real fetch. Daemons reach their local
   * agents with the global fetch (card at registration, JSON-RPC on
   * delivery), so this is the one seam the sim needs there.
   */
  install (): void {
    current = this
    if (original !== undefined) return
    const real = original = globalThis.fetch
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
      if (current !== undefined && href.startsWith(`${BASE}/`)) return current.fetch(input, init)
      return real(input, init)
    }) as typeof fetch
  }

  /** The URL an agent is registered with. */
  url (peer: string, name: string): string {
    return `${BASE}/${peer}/${name}/`
  }

  /** Sets the behaviour of one agent, or (no key) of every agent without one. */
  setBehavior (behavior: Behavior, peer?: string, name?: string): void {
    if (peer === undefined || name === undefined) this.fallback = behavior
    else this.behaviors.set(`${name}@${peer}`, behavior)
  }

  /** The `fetch` the daemons are given. */
  readonly fetch: typeof fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    const [, peer = '', name = '', ...rest] = url.pathname.split('/')
    const path = rest.join('/')
    if ((init?.method ?? 'GET') === 'GET' && path === '.well-known/agent-card.json') {
      return json(card(name, `${BASE}/${peer}/${name}/rpc`))
    }
    let rpc: any
    try { rpc = JSON.parse(String(init?.body ?? '')) } catch { return json({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } }) }
    const message = rpc?.params?.message
    const part = Array.isArray(message?.parts) ? message.parts.find((p: any) => typeof p?.text === 'string') : undefined
    const key = `${name}@${peer}`
    this.delivered.set(key, (this.delivered.get(key) ?? 0) + 1)
    const delivery: Delivery = {
      peer, agent: name, method: rpc?.method ?? '', text: part?.text ?? '',
      token: typeof message?.metadata?.['agentmesh.delegation'] === 'string' ? message.metadata['agentmesh.delegation'] : undefined,
      atMs: performance.now()
    }
    const reply = await (this.behaviors.get(key) ?? this.fallback)(delivery)
    return json({ jsonrpc: '2.0', id: rpc?.id ?? null, result: { message: { messageId: randomUUID(), role: 'ROLE_AGENT', parts: [{ text: reply, mediaType: 'text/plain' }] } } })
  }
}

function json (body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
}

function card (name: string, rpcUrl: string): Record<string, unknown> {
  return {
    name,
    description: `simulated agent ${name}`,
    version: '1.0.0',
    supportedInterfaces: [{ url: rpcUrl, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
    capabilities: {},
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: []
  }
}

/** A JSON-RPC SendMessage request carrying `text` (and a delegation token to pass on, as an agent that calls on does). */
export function sendMessage (text: string, token?: string): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id: randomUUID(),
    method: 'SendMessage',
    params: {
      message: {
        messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text, mediaType: 'text/plain' }],
        ...(token !== undefined ? { metadata: { 'agentmesh.delegation': token } } : {})
      },
      configuration: {}
    }
  }
}

/** The text of a SendMessage result. */
export function resultText (result: unknown): string {
  const parts = (result as any)?.message?.parts
  return Array.isArray(parts) ? parts.map((p: any) => (typeof p?.text === 'string' ? p.text : '')).join('') : ''
}
