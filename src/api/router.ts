import type { IncomingMessage, ServerResponse } from 'node:http'

/** What a route handler answers; `undefined` means it wrote the response itself (SSE, streams). */
export interface Reply {
  status?: number
  json?: unknown
  text?: string
  contentType?: string
}

/** Everything a handler gets about one request. */
export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  /** Named groups of the route's pattern, URI-decoded. */
  params: Record<string, string>
  /** The query string. */
  query: URLSearchParams
  /** Reads and parses the JSON body (size-capped); `undefined` for an empty body. */
  body(): Promise<unknown>
  /** Aborted when the client goes away or the server stops. */
  signal: AbortSignal
}

/** One entry in the route table. */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT'
  /** Matched against the whole path; named groups become `params`. */
  pattern: RegExp
  handler(ctx: RequestContext): Promise<Reply | undefined> | Reply | undefined
}

/** The outcome of matching a path: a route, a path known under other methods, or nothing. */
export type Match =
  | { kind: 'route', route: Route, params: Record<string, string> }
  | { kind: 'method-not-allowed', allowed: string[] }
  | { kind: 'not-found' }

/** Finds the route for a method and path. */
export function matchRoute (routes: readonly Route[], method: string, path: string): Match {
  const allowed: string[] = []
  for (const route of routes) {
    const m = route.pattern.exec(path)
    if (m == null) continue
    if (route.method !== method) { allowed.push(route.method); continue }
    const params: Record<string, string> = {}
    for (const [k, v] of Object.entries(m.groups ?? {})) {
      if (v !== undefined) params[k] = safeDecode(v)
    }
    return { kind: 'route', route, params }
  }
  return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' }
}

function safeDecode (s: string): string {
  try { return decodeURIComponent(s) } catch { return s }
}
