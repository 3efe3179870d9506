import { http } from '../builtin-http.js'
import { ApiCallError, NoDaemonError } from './errors.js'

/** Calls the local API over its Unix socket and returns the parsed JSON body. */
export async function callApi (socketPath: string, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<any> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath,
      method,
      path,
      ...(signal != null ? { signal } : {}),
      headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
    }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let parsed: any
        try { parsed = text === '' ? {} : JSON.parse(text) } catch {
          reject(new ApiCallError(res.statusCode ?? 500, 'BAD_RESPONSE', `the daemon answered with something that is not JSON: ${text.slice(0, 200)}`))
          return
        }
        if ((res.statusCode ?? 500) >= 400) {
          const e = parsed?.error ?? {}
          reject(new ApiCallError(res.statusCode ?? 500, String(e.code ?? 'ERROR'), String(e.message ?? `HTTP ${res.statusCode}`)))
          return
        }
        resolve(parsed)
      })
    })
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') reject(new NoDaemonError(socketPath, { cause: err }))
      else reject(err)
    })
    req.end(payload)
  })
}
