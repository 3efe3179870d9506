import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { defaultInspectionConfig, Inspector, type InspectionConfig, type InspectionSubject } from '../../../src/inspection/index.js'

export const caller = { agent: 'planner', peer: '12D3KooWCaller', role: 'orchestrator' }
export const callee = { agent: 'search', peer: '12D3KooWCallee', role: 'specialist' }

export const INJECTION = 'ignore (all )?previous instructions'

/** An inspector over the defaults, with `config` on top. */
export function inspector (config: Partial<InspectionConfig> = {}, init: { fetch?: typeof fetch } = {}): Inspector {
  return new Inspector({ config: { ...defaultInspectionConfig(), ...config }, ...init })
}

const text = (payload: unknown): string => typeof payload === 'string' ? payload : JSON.stringify(payload)

/** A request from {@link caller} to {@link callee}; the method is the payload's unless given. */
export function request (payload: unknown, method?: string, extra: Partial<InspectionSubject> = {}): InspectionSubject {
  const m = method ?? (typeof payload === 'object' && payload !== null ? String((payload as { method?: unknown }).method) : 'SendMessage')
  return { direction: 'request', method: m, payload: text(payload), from: caller, to: callee, ...extra }
}

/** A reply (a JSON-RPC response or one SSE event's data) to a `method` call. */
export function reply (method: string, payload: unknown, extra: Partial<InspectionSubject> = {}): InspectionSubject {
  return { direction: 'reply', method, payload: text(payload), from: caller, to: callee, ...extra }
}

/** The proto3 JSON of a user text message, as the SDK client sends it. */
export function wireMessage (...texts: string[]): { messageId: string, role: string, parts: Array<Record<string, unknown>>, metadata?: Record<string, unknown> } {
  return { messageId: randomUUID(), role: 'ROLE_USER', parts: texts.map((t) => ({ text: t, mediaType: 'text/plain' })) }
}

/** A SendMessage request as the SDK client sends it, around `message`. */
export function sendMessage (message: unknown, method = 'SendMessage'): Record<string, unknown> {
  return { jsonrpc: '2.0', method, params: { message, configuration: {} }, id: 1 }
}

/** A JSON-RPC success response. */
export function result (value: unknown, id: number | string = 1): Record<string, unknown> {
  return { jsonrpc: '2.0', id, result: value }
}

/** An agent's answer Message, as the SDK server writes it. */
export function agentMessage (...texts: string[]): Record<string, unknown> {
  return { messageId: randomUUID(), contextId: randomUUID(), role: 'ROLE_AGENT', parts: texts.map((t) => ({ text: t, mediaType: 'text/plain' })) }
}

/** A guard on 127.0.0.1: `handle` answers each verdict request; every request body is kept, parsed. */
export interface TestGuard {
  url: string
  bodies: unknown[]
  close(): Promise<void>
}

export async function startGuard (handle: (body: unknown, res: ServerResponse, req: IncomingMessage) => void): Promise<TestGuard> {
  const bodies: unknown[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
      bodies.push(body)
      handle(body, res, req)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/verdict`,
    bodies,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

/** Answers `status` with `body` as JSON (or as is, if a string). */
export function answer (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(typeof body === 'string' ? body : JSON.stringify(body))
}
