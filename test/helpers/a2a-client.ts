import { randomUUID } from 'node:crypto'
import { Role } from '@a2a-js/sdk'
import type { Message, SendMessageRequest, SendMessageResult, Task } from '@a2a-js/sdk'
import {
  ClientFactory, DefaultAgentCardResolver, JsonRpcTransportFactory, RestTransportFactory
} from '@a2a-js/sdk/client'
import type { Client } from '@a2a-js/sdk/client'
import { Agent, fetch as undiciFetch } from 'undici'

/** Every dispatcher this module opened, so that {@link closeA2AClients} can close them. */
const dispatchers = new Set<Agent>()

/** A `fetch` whose every request goes over the Unix socket `socketPath` (the URL's host only becomes the Host header). */
export function unixFetch (socketPath: string): { fetch: typeof fetch, close: () => Promise<void> } {
  const dispatcher = new Agent({ connect: { socketPath } })
  dispatchers.add(dispatcher)
  // The card resolver passes a URL object, the transports a string; undici's fetch takes both.
  const fetchImpl = (async (input: string | URL | Request, init: RequestInit = {}) =>
    undiciFetch(input as any, { ...(init as any), dispatcher })) as unknown as typeof fetch
  return {
    fetch: fetchImpl,
    close: async () => { dispatchers.delete(dispatcher); await dispatcher.close() }
  }
}

/** A stock @a2a-js/sdk client factory whose card GET and JSON-RPC calls use `fetchImpl`. */
export function clientFactory (fetchImpl?: typeof fetch): ClientFactory {
  const options = fetchImpl == null ? {} : { fetchImpl }
  return new ClientFactory({
    transports: [new JsonRpcTransportFactory(options), new RestTransportFactory(options)],
    preferredTransports: ['JSONRPC'],
    cardResolver: new DefaultAgentCardResolver(options)
  })
}

/** The base URL of a remote agent's `/a2a/{agent}` endpoint on a daemon (the trailing slash matters). */
export function a2aBaseUrl (agent: string): string {
  return `http://localhost/a2a/${encodeURIComponent(agent)}/`
}

/**
 * A stock @a2a-js/sdk client for `agent` (`name` or `name@peerId`) through the
 * daemon whose API socket is `apiSocket`: the card comes from
 * `/a2a/{agent}/.well-known/agent-card.json`, the calls go to the JSON-RPC URL
 * that card names (the daemon's own `/a2a/{agent}`).
 */
export async function a2aClientFor (apiSocket: string, agent: string): Promise<Client> {
  const { fetch } = unixFetch(apiSocket)
  return clientFactory(fetch).createFromUrl(a2aBaseUrl(agent))
}

/** A stock client talking straight to an agent's base URL (`http://127.0.0.1:PORT/name`), no daemon in between. */
export async function directClient (url: string): Promise<Client> {
  return clientFactory().createFromUrl(url.endsWith('/') ? url : `${url}/`)
}

/** Closes every Unix-socket dispatcher opened here (call in afterAll). */
export async function closeA2AClients (): Promise<void> {
  const all = [...dispatchers]
  dispatchers.clear()
  await Promise.all(all.map(async (d) => d.close().catch(() => {})))
}

/** A user Message with one text part, as the SDK types want it. */
export function textMessage (text: string, overrides: Partial<Message> = {}): Message {
  return {
    messageId: randomUUID(),
    contextId: '',
    taskId: '',
    role: Role.ROLE_USER,
    parts: [{ content: { $case: 'text', value: text }, mediaType: 'text/plain', filename: '', metadata: undefined }],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
    ...overrides
  }
}

/** A SendMessage (or SendStreamingMessage) request carrying `text`; `request.message.messageId` is fresh. */
export function textRequest (text: string, overrides: Partial<Message> = {}): SendMessageRequest & { message: Message } {
  return { tenant: '', message: textMessage(text, overrides), configuration: undefined, metadata: undefined }
}

/**
 * The wire JSON (proto3 JSON, as the SDK client sends it) of a JSON-RPC
 * SendMessage request; what a daemon puts in an envelope's payload.
 */
export function jsonRpcSendMessage (text: string, options: { id?: number | string, messageId?: string, method?: string } = {}): {
  jsonrpc: '2.0'
  id: number | string
  method: string
  params: { message: { messageId: string, role: 'ROLE_USER', parts: Array<{ text: string, mediaType: string }> }, configuration: Record<string, never> }
} {
  return {
    jsonrpc: '2.0',
    id: options.id ?? 1,
    method: options.method ?? 'SendMessage',
    params: {
      message: { messageId: options.messageId ?? randomUUID(), role: 'ROLE_USER', parts: [{ text, mediaType: 'text/plain' }] },
      configuration: {}
    }
  }
}

/** The text of a Message, or of a Task's artifacts (then its status message), joined. */
export function textOf (result: SendMessageResult | Message | Task): string {
  const partsText = (parts: Message['parts']): string =>
    parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('')
  if ('messageId' in result) return partsText(result.parts)
  const artifacts = result.artifacts.map((a) => partsText(a.parts)).join('')
  if (artifacts !== '') return artifacts
  return result.status?.message != null ? partsText(result.status.message.parts) : ''
}
