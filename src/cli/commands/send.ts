import { randomUUID } from 'node:crypto'
import { http } from '../../builtin-http.js'
import { homePaths } from '../../home/index.js'
import { ApiCallError, NoDaemonError } from '../errors.js'
import type { Command } from '../command.js'

interface RpcAnswer { result?: any, error?: { code: number, message: string, data?: unknown } }

/** The text parts of a Message, Task, status update or artifact update (A2A v1.0 JSON). */
function textOf (value: any): string {
  if (value == null) return ''
  const parts = (p: any[] | undefined): string => (p ?? []).map((x) => typeof x?.text === 'string' ? x.text : '').join('')
  if (value.message != null) return textOf(value.message)
  if (value.task != null) return textOf(value.task)
  if (value.statusUpdate != null) return parts(value.statusUpdate.status?.message?.parts)
  if (value.artifactUpdate != null) return parts(value.artifactUpdate.artifact?.parts)
  if (Array.isArray(value.parts)) return parts(value.parts)
  if (Array.isArray(value.artifacts) && value.artifacts.length > 0) return value.artifacts.map((a: any) => parts(a.parts)).join('')
  return parts(value.status?.message?.parts)
}

/** `agentmesh send AGENT TEXT [--stream]`. */
export const sendCommand: Command = {
  name: 'send',
  summary: 'Send a text message to an agent (name or name@peer) through the mesh and print the reply.',
  args: [{ name: 'AGENT', description: 'name (looked up in the DHT) or name@peer' }, { name: 'TEXT', description: 'the message' }],
  options: {
    stream: { type: 'boolean', description: 'stream the reply event by event (SendStreamingMessage)' },
    token: { type: 'string', valueName: 'TOKEN', description: "act as the local agent this caller token belongs to (default: $AGENTMESH_TOKEN; without one you act as the host's operator)" }
  },
  json: true,
  async run ({ home, json, io, positionals, values }) {
    const [agent = '', text = ''] = positionals
    const streaming = values.stream === true
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: streaming ? 'SendStreamingMessage' : 'SendMessage',
      params: { message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text, mediaType: 'text/plain' }] }, configuration: {} }
    })
    const socketPath = homePaths(home).apiSocket
    const token = (values.token as string | undefined) ?? io.env.AGENTMESH_TOKEN
    const auth: Record<string, string> = token != null && token !== '' ? { Authorization: `Bearer ${token}` } : {}
    let failed: RpcAnswer['error'] | undefined
    const onAnswer = (answer: RpcAnswer): void => {
      if (answer.error != null) { failed = answer.error; return }
      if (json) io.stdout(JSON.stringify(answer.result) + '\n')
      else { const t = textOf(answer.result); if (t !== '') io.stdout(streaming ? `${t}\n` : `${t}\n`) }
    }
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ socketPath, method: 'POST', path: `/a2a/${encodeURIComponent(agent)}`, headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0', Accept: streaming ? 'text/event-stream' : 'application/json', ...auth } }, (res) => {
        let buffer = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          buffer += chunk
          if (!(res.headers['content-type'] ?? '').startsWith('text/event-stream')) return
          let end
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const event = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('')
            if (data !== '') { try { onAnswer(JSON.parse(data)) } catch {} }
          }
        })
        res.on('end', () => {
          if (!(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
            try { onAnswer(JSON.parse(buffer)) } catch { reject(new ApiCallError(res.statusCode ?? 500, 'BAD_RESPONSE', buffer.slice(0, 200))); return }
          }
          resolve()
        })
        res.on('error', reject)
      })
      req.on('error', (err: NodeJS.ErrnoException) => { reject(err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? new NoDaemonError(socketPath, { cause: err }) : err) })
      req.end(body)
    })
    if (failed != null) {
      const reason = (failed.data as { reason?: string } | undefined)?.reason
      throw new ApiCallError(502, reason ?? `JSONRPC_${failed.code}`, failed.message)
    }
    return 0
  }
}
