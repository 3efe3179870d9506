import { METADATA_KEY } from './constants.js'

/** The compact token form of an encoded chain: base64url, as it sits in A2A message metadata. */
export function chainToken (chain: Uint8Array): string {
  return Buffer.from(chain).toString('base64url')
}

/** The chain bytes of a token; undefined if it is not base64url. */
export function chainFromToken (token: unknown): Uint8Array | undefined {
  if (typeof token !== 'string' || token === '' || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined
  return new Uint8Array(Buffer.from(token, 'base64url'))
}

/** The token a JSON-RPC request carries in `params.message.metadata`, if any. */
export function tokenOf (rpc: unknown): string | undefined {
  const t = (rpc as { params?: { message?: { metadata?: Record<string, unknown> } } })?.params?.message?.metadata?.[METADATA_KEY]
  return typeof t === 'string' ? t : undefined
}

/**
 * The JSON-RPC request text with `params.message.metadata["agentmesh.delegation"]`
 * set to `token` (replacing whatever the caller put there). Requests with no
 * message (GetTask, CancelTask) are returned unchanged.
 */
export function withToken (payload: string, token: string): string {
  let rpc: { params?: { message?: { metadata?: Record<string, unknown> | null } } }
  try { rpc = JSON.parse(payload) as typeof rpc } catch { return payload }
  const message = rpc?.params?.message
  if (message == null || typeof message !== 'object') return payload
  message.metadata = { ...(message.metadata ?? {}), [METADATA_KEY]: token }
  return JSON.stringify(rpc)
}
