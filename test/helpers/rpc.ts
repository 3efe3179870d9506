import { request } from 'node:http'
import { jsonRpcSendMessage } from './a2a-client.js'

/** What a JSON-RPC call through a daemon answered. */
export interface RpcAnswer {
  status: number
  /** The parsed JSON-RPC response. */
  body: any
  /** `result.message.parts[0].text` of an echo answer, if there is one. */
  text?: string
  /** `error.data.reason` of a mesh error, if there is one. */
  reason?: string
  /** `error.data.rule` of a policy denial, if there is one. */
  rule?: string
}

/**
 * Sends a SendMessage with `text` to `agent` (`name` or `name@peer`) through
 * the daemon on `apiSocket`, as the caller that `token` names (no token: the
 * host's operator).
 */
export async function sendAs (apiSocket: string, agent: string, text: string, token?: string, metadata?: Record<string, unknown>): Promise<RpcAnswer> {
  const rpc: any = jsonRpcSendMessage(text)
  if (metadata != null) rpc.params.message.metadata = metadata
  const payload = JSON.stringify(rpc)
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath: apiSocket,
      method: 'POST',
      path: `/a2a/${encodeURIComponent(agent)}`,
      headers: { 'Content-Type': 'application/json', ...(token != null ? { Authorization: `Bearer ${token}` } : {}) }
    }, (res) => {
      let data = ''
      res.on('data', (d: Buffer) => { data += d.toString() })
      res.on('end', () => {
        let body: any = data
        try { body = JSON.parse(data) } catch {}
        resolve({
          status: res.statusCode ?? 0,
          body,
          text: body?.result?.message?.parts?.[0]?.text,
          reason: body?.error?.data?.reason,
          rule: body?.error?.data?.rule
        })
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** One SSE event of a streamed answer, and when it arrived. */
export interface StreamedEvent {
  atMs: number
  data: any
}

/**
 * Sends a SendStreamingMessage with `text` to `agent` through the daemon on
 * `apiSocket` and collects the SSE events until the daemon ends the stream
 * (or answers with plain JSON: an error, then in `error`).
 */
export async function streamAs (apiSocket: string, agent: string, text: string, onEvent?: (e: StreamedEvent) => void): Promise<{ status: number, events: StreamedEvent[], error?: any }> {
  const payload = JSON.stringify(jsonRpcSendMessage(text, { method: 'SendStreamingMessage' }))
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath: apiSocket,
      method: 'POST',
      path: `/a2a/${encodeURIComponent(agent)}`,
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' }
    }, (res) => {
      const events: StreamedEvent[] = []
      let buffer = ''
      const sse = (res.headers['content-type'] ?? '').startsWith('text/event-stream')
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        buffer += d
        if (!sse) return
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n')
          if (data === '') continue
          let parsed: any = data
          try { parsed = JSON.parse(data) } catch {}
          const e = { atMs: Date.now(), data: parsed }
          events.push(e)
          onEvent?.(e)
        }
      })
      res.on('end', () => {
        if (sse) { resolve({ status: res.statusCode ?? 0, events }); return }
        let error: any = buffer
        try { error = JSON.parse(buffer) } catch {}
        resolve({ status: res.statusCode ?? 0, events, error })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/**
 * Sends a SendMessage whose message carries `text` and, when given, one file
 * part of `file`'s bytes, to `agent` through the daemon on `apiSocket`.
 */
export async function sendWithFile (apiSocket: string, agent: string, text: string, file?: Buffer): Promise<{ status: number, body: any }> {
  const rpc: any = jsonRpcSendMessage(text)
  if (file != null) rpc.params.message.parts.push({ raw: file.toString('base64'), mediaType: 'application/octet-stream', filename: 'input.bin' })
  const payload = JSON.stringify(rpc)
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: apiSocket, method: 'POST', path: `/a2a/${encodeURIComponent(agent)}`, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => { chunks.push(d) })
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let body: any = text
        try { body = JSON.parse(text) } catch {}
        resolve({ status: res.statusCode ?? 0, body })
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}
