import type { Agent as HttpAgent } from 'node:http'
import { http } from '../builtin-http.js'
import { parseSseStream } from '@a2a-js/sdk'
import type { AgentRecord } from '../store/index.js'
import { DEFAULT_MAX_MESSAGE_BYTES, FRAME_OVERHEAD_BYTES, STREAMING_METHODS } from './constants.js'
import { AgentmeshError } from '../errors.js'

/** One answer frame from a local agent. */
export interface DeliveredFrame {
  kind: 'RESULT' | 'EVENT'
  /** A JSON-RPC response (RESULT) or one SSE event's data (EVENT). */
  payload: string
}

/** W3C trace context, carried from the caller to the agent across the mesh. */
export interface TraceContext {
  traceparent?: string
  tracestate?: string
}

/** How {@link deliverToAgent} reaches the agent. */
export interface DeliveryOptions {
  fetch?: typeof fetch
  /** Kept-alive connections for plain (non-streaming) calls. */
  httpAgent?: HttpAgent
  trace?: TraceContext
  /** Largest answer (or SSE event) read from the agent; default: what fits in a frame of the default message cap. */
  maxAnswerBytes?: number
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/

/** Only well-formed trace headers are passed on (W3C Trace Context). */
export function validTrace (traceparent: unknown, tracestate: unknown): TraceContext {
  if (typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent)) return {}
  return typeof tracestate === 'string' && tracestate.length <= 512 && !/[\r\n]/.test(tracestate)
    ? { traceparent, tracestate }
    : { traceparent }
}

function traceHeaders (trace: TraceContext | undefined): Record<string, string> {
  const t = validTrace(trace?.traceparent, trace?.tracestate)
  return { ...(t.traceparent != null ? { traceparent: t.traceparent } : {}), ...(t.tracestate != null ? { tracestate: t.tracestate } : {}) }
}

/** Largest answer read from a local agent unless told otherwise. */
const DEFAULT_MAX_ANSWER_BYTES = DEFAULT_MAX_MESSAGE_BYTES - FRAME_OVERHEAD_BYTES

/**
 * Hands a JSON-RPC request to a local A2A agent over plain HTTP, as any A2A
 * client would, and reports its answer frame by frame: one RESULT for a JSON
 * answer, one EVENT per SSE event for a stream.
 */
export async function deliverToAgent (agent: AgentRecord, method: string, payload: string,
  onFrame: (frame: DeliveredFrame) => void | Promise<void>, signal: AbortSignal, options: DeliveryOptions = {}): Promise<void> {
  const streaming = STREAMING_METHODS.has(method)
  const fetchImpl = options.fetch ?? fetch
  const trace = traceHeaders(options.trace)
  const maxAnswer = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES
  if (!streaming && options.httpAgent != null && agent.rpcUrl.startsWith('http:')) {
    // The common case, on node:http with kept-alive connections: several times cheaper than fetch.
    await onFrame({ kind: 'RESULT', payload: await postJson(agent, payload, signal, options.httpAgent, trace, maxAnswer) })
    return
  }
  let res: Response
  try {
    res = await fetchImpl(agent.rpcUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0', Accept: streaming ? 'text/event-stream' : 'application/json', ...trace },
      body: payload,
      signal
    })
  } catch (err) {
    throw new AgentmeshError('AGENT_UNREACHABLE', `agent "${agent.name}" at ${agent.rpcUrl} is unreachable: ${(err as Error).message}`, { cause: err })
  }
  const type = res.headers.get('content-type') ?? ''
  if (type.startsWith('text/event-stream')) {
    for await (const event of parseSseStream(res, maxAnswer)) {
      await onFrame({ kind: 'EVENT', payload: event.data })
    }
    return
  }
  const text = await res.text()
  if (Buffer.byteLength(text) > maxAnswer) throw new AgentmeshError('AGENT_ERROR', `agent "${agent.name}" answered more than ${maxAnswer} bytes`)
  try {
    JSON.parse(text)
  } catch {
    throw new AgentmeshError('AGENT_ERROR', `agent "${agent.name}" answered HTTP ${res.status} with something that is not JSON`)
  }
  await onFrame({ kind: 'RESULT', payload: text })
}

/** POSTs a JSON-RPC request and returns the JSON answer's text (size-capped, checked to be JSON). */
async function postJson (agent: AgentRecord, payload: string, signal: AbortSignal, httpAgent: HttpAgent, trace: Record<string, string>, maxAnswer: number): Promise<string> {
  try {
    return await postJsonOnce(agent, payload, signal, httpAgent, trace, maxAnswer)
  } catch (err) {
    // A kept-alive connection the agent closed while idle fails before the
    // request reaches it (Node's documented race): that one is safe to retry.
    if ((err as { staleSocket?: boolean }).staleSocket === true) return postJsonOnce(agent, payload, signal, httpAgent, trace, maxAnswer)
    throw err
  }
}

async function postJsonOnce (agent: AgentRecord, payload: string, signal: AbortSignal, httpAgent: HttpAgent, trace: Record<string, string>, maxAnswer: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const req = http.request(agent.rpcUrl, {
      method: 'POST',
      agent: httpAgent,
      signal,
      headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0', Accept: 'application/json', 'Content-Length': Buffer.byteLength(payload), ...trace }
    }, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        if (size > maxAnswer) { res.destroy(); reject(new AgentmeshError('AGENT_ERROR', `agent "${agent.name}" answered more than ${maxAnswer} bytes`)); return }
        chunks.push(c)
      })
      res.on('error', (err) => { reject(new AgentmeshError('AGENT_UNREACHABLE', `agent "${agent.name}" broke off its answer: ${err.message}`, { cause: err })) })
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        try { JSON.parse(text) } catch {
          reject(new AgentmeshError('AGENT_ERROR', `agent "${agent.name}" answered HTTP ${res.statusCode ?? 0} with something that is not JSON`))
          return
        }
        resolve(text)
      })
    })
    let answered = false
    req.on('response', () => { answered = true })
    req.on('error', (err: NodeJS.ErrnoException) => {
      const e = new AgentmeshError('AGENT_UNREACHABLE', `agent "${agent.name}" at ${agent.rpcUrl} is unreachable: ${err.message}`, { cause: err })
      if (req.reusedSocket && !answered && err.code === 'ECONNRESET') Object.assign(e, { staleSocket: true })
      reject(e)
    })
    req.end(payload)
  })
}
