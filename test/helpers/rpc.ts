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
