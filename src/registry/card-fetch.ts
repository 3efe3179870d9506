import type { IncomingMessage, RequestOptions } from 'node:http'
import { http } from '../builtin-http.js'

/** What a card fetch got back: the status and, for a 2xx answer, the body. */
export interface CardResponse {
  status: number
  body: string
}

/** Cards are small; a larger answer is refused rather than buffered. */
export const MAX_CARD_BYTES = 1024 * 1024

/**
 * GETs an agent card over node:http (node:https for https URLs, loaded on
 * first use). The global fetch would do, but it loads undici, which a daemon
 * then keeps for its lifetime only to read one card per registration (README,
 * "Footprint").
 */
export async function fetchCard (url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<CardResponse> {
  const request = url.protocol === 'https:' ? process.getBuiltinModule('node:https').request : http.request
  signal.throwIfAborted()
  return await new Promise<CardResponse>((resolve, reject) => {
    const options: RequestOptions = { method: 'GET', headers, signal }
    const req = request(url, options, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0
      if (status < 200 || status >= 300) {
        res.resume()
        resolve({ status, body: '' })
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > MAX_CARD_BYTES) {
          req.destroy(new Error(`the card is larger than ${MAX_CARD_BYTES} bytes`))
          return
        }
        chunks.push(chunk)
      })
      res.once('end', () => { resolve({ status, body: Buffer.concat(chunks).toString('utf8') }) })
      res.once('error', reject)
    })
    req.once('error', (err) => { reject(signal.aborted ? signal.reason : err) })
    req.end()
  })
}
