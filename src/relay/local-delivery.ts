import { parseSseStream } from '@a2a-js/sdk'
import type { AgentRecord } from '../store/index.js'
import { STREAMING_METHODS } from './constants.js'
import { AgentmeshError } from '../errors.js'

/** One answer frame from a local agent. */
export interface DeliveredFrame {
  kind: 'RESULT' | 'EVENT'
  /** A JSON-RPC response (RESULT) or one SSE event's data (EVENT). */
  payload: string
}

/** Largest answer read from a local agent. */
const MAX_ANSWER_BYTES = 1024 * 1024

/**
 * Hands a JSON-RPC request to a local A2A agent over plain HTTP, as any A2A
 * client would, and reports its answer frame by frame: one RESULT for a JSON
 * answer, one EVENT per SSE event for a stream.
 */
export async function deliverToAgent (agent: AgentRecord, method: string, payload: string,
  onFrame: (frame: DeliveredFrame) => void | Promise<void>, signal: AbortSignal, fetchImpl: typeof fetch = fetch): Promise<void> {
  const streaming = STREAMING_METHODS.has(method)
  let res: Response
  try {
    res = await fetchImpl(agent.rpcUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0', Accept: streaming ? 'text/event-stream' : 'application/json' },
      body: payload,
      signal
    })
  } catch (err) {
    throw new AgentmeshError('AGENT_UNREACHABLE', `agent "${agent.name}" at ${agent.rpcUrl} is unreachable: ${(err as Error).message}`, { cause: err })
  }
  const type = res.headers.get('content-type') ?? ''
  if (type.startsWith('text/event-stream')) {
    for await (const event of parseSseStream(res, MAX_ANSWER_BYTES)) {
      await onFrame({ kind: 'EVENT', payload: event.data })
    }
    return
  }
  const text = await res.text()
  if (text.length > MAX_ANSWER_BYTES) throw new AgentmeshError('AGENT_ERROR', `agent "${agent.name}" answered more than ${MAX_ANSWER_BYTES} bytes`)
  try {
    JSON.parse(text)
  } catch {
    throw new AgentmeshError('AGENT_ERROR', `agent "${agent.name}" answered HTTP ${res.status} with something that is not JSON`)
  }
  await onFrame({ kind: 'RESULT', payload: text })
}
