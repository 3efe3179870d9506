import type * as NodeHttp from 'node:http'

/**
 * node:http, as `require('node:http')` returns it. Import it from here, not
 * with `import { … } from 'node:http'` (types may still come from there with
 * `import type`).
 *
 * Why: an ES module import of a built-in makes Node build the module's
 * namespace from every one of its exports, and on Node 22 some of node:http's
 * are lazy getters (its WebSocket, MessageEvent and CloseEvent come from
 * undici). Reading them loads undici, and with it http2, tls, zlib and the web
 * streams, into every daemon that merely serves HTTP: ≈ 2.5 MB of RSS (README,
 * "Footprint"). `process.getBuiltinModule` returns the module object and reads
 * nothing.
 */
export const http: typeof NodeHttp = process.getBuiltinModule('node:http')
