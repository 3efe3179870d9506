#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/run.js) and its dependencies into
// dist/bundle/, which bin/agentmesh.js runs when it is newer than the
// compiled sources (else it runs dist/src directly).
//
// Why: a daemon loads about a thousand ES modules; Node keeps each one's
// source text, module record and loader bookkeeping in the heap for the
// process's lifetime. One minified file holds the same code in about a third
// of the bytes and one module record: the idle daemon's RSS drops by ~15 MB
// and its start-up by ~40 % (README, "Footprint"). Modules behind a dynamic
// import (OpenTelemetry, UPnP, mDNS …) stay separate chunks, loaded only when
// configured.
//
// Identifiers are not mangled and names are kept, so stack traces still name
// the functions; a source map goes beside the bundle (node --enable-source-maps).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = join(root, 'dist', 'bundle')
let build
try {
  ({ build } = await import('rolldown'))
} catch {
  process.stderr.write('scripts/bundle.mjs: rolldown is not installed; bin/agentmesh.js will run the unbundled dist/src\n')
  process.exit(0)
}
rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })

// kad-dht's table of 65,536 precomputed key prefixes (used only to pick a
// random key when refreshing a bucket) is an array literal: ≈ 470 KB of
// source that V8 keeps for the process's life, plus the array itself. The
// bundle reads the same numbers from a 256 KB file beside it instead.
const PREFIXES_FILE = 'kad-prefixes.bin'
const prefixModule = /[\\/]@libp2p[\\/]kad-dht[\\/]dist[\\/]src[\\/]routing-table[\\/]generated-prefix-list\.js$/
async function writePrefixes (id) {
  const { default: prefixes } = await import(pathToFileURL(id).href)
  const bytes = Buffer.alloc(prefixes.length * 4)
  prefixes.forEach((p, i) => { bytes.writeUInt32LE(p, i * 4) })
  writeFileSync(join(outDir, PREFIXES_FILE), bytes)
  return prefixes.length
}

// String#localeCompare makes V8 build an ICU collator, which pages in ICU's
// collation data from the node binary (≈ 2 MB of RSS in every daemon). The
// libp2p code below only sorts protocol names, metadata keys and multiaddrs
// into a stable order, so a code-unit comparison serves. Each replacement
// must match exactly once, so that an upgrade that changes the code fails
// the build instead of silently keeping the collator.
const compare = '((x, y) => x < y ? -1 : x > y ? 1 : 0)'
const sites = [
  { file: /[\\/]@libp2p[\\/]peer-store[\\/]dist[\\/]src[\\/]utils[\\/]to-peer-pb\.js$/, from: ['return a.localeCompare(b);', 'return a.localeCompare(b);'], to: `return ${compare}(a, b);`, not: 'localeCompare' },
  { file: /[\\/]@libp2p[\\/]peer-store[\\/]dist[\\/]src[\\/]utils[\\/]dedupe-addresses\.js$/, from: ['return a.multiaddr.toString().localeCompare(b.multiaddr.toString());'], to: `return ${compare}(a.multiaddr.toString(), b.multiaddr.toString());`, not: 'localeCompare' },
  { file: /[\\/]@libp2p[\\/]peer-record[\\/]dist[\\/]src[\\/]peer-record[\\/]utils\.js$/, from: ['const sort = (a, b) => a.toString().localeCompare(b.toString());'], to: `const sort = (a, b) => ${compare}(a.toString(), b.toString());`, not: 'localeCompare' },
  // prom-client's Pushgateway (which the daemon never uses) requires https and zlib when
  // prom-client loads, and https brings tls: load them when a push is made instead.
  // Noise imports @chainsafe/as-sha256, which compiles a WebAssembly SHA-256 and allocates its
  // memory on import (≈ 2 MB in a bare process), for a hash function Noise's default crypto never
  // calls (it hashes with node:crypto). The one caller, asCrypto.hashSHA256, hashes with
  // node:crypto too; as-chacha20poly1305 (faster than node:crypto for small frames) stays.
  { file: /[\\/]@chainsafe[\\/]libp2p-noise[\\/]dist[\\/]src[\\/]crypto[\\/]index\.js$/, from: ["import { digest } from '@chainsafe/as-sha256';", 'return digest(data.subarray());'], to: ['', 'return nodeCrypto.hashSHA256(data);'], not: 'as-sha256' },
  // pino loads its worker-thread transport machinery (thread-stream, node:worker_threads,
  // node:assert) as it loads; the daemon logs to stderr in-process and never starts a
  // transport. Require them when a transport or a check needs them instead.
  { file: /[\\/]pino[\\/]lib[\\/]tools\.js$/, from: ["const { isMainThread } = require('worker_threads')", '!opts.sync && isMainThread'], to: ['', "!opts.sync && require('worker_threads').isMainThread"] },
  { file: /[\\/]pino[\\/]lib[\\/]transport\.js$/, from: ["const ThreadStream = require('thread-stream')", 'new ThreadStream({'], to: ['', "new (require('thread-stream'))({"] },
  { file: /[\\/]sonic-boom[\\/]index\.js$/, from: ["const assert = require('assert')", 'assert(typeof sonic.fd'], to: ['', "require('assert')(typeof sonic.fd"] },
  { file: /[\\/]prom-client[\\/]lib[\\/]pushgateway\.js$/, from: ["const https = require('https');"], to: "const https = { request: (...args) => require('https').request(...args) };" },
  { file: /[\\/]prom-client[\\/]lib[\\/]pushgateway\.js$/, from: ["const { gzipSync } = require('zlib');"], to: "const gzipSync = (data) => require('zlib').gzipSync(data);" }
]
const patched = new Set()

// mortice (the peer store's per-peer lock) in Node imports node:cluster and
// node:worker_threads to share locks across cluster workers. libp2p asks for
// single-process locks only, which its browser build gives without them: use
// that, and keep cluster, child_process and dgram out of the daemon.
const morticeImpl = /[\\/]mortice[\\/]dist[\\/]src[\\/]mortice\.js$/

const footprint = {
  name: 'agentmesh-footprint',
  async resolveId (source, importer) {
    if (source !== './node.js' || importer == null || !morticeImpl.test(importer)) return null
    patched.add('mortice')
    return join(dirname(importer), 'browser.js')
  },
  async load (id) {
    if (!prefixModule.test(id)) return null
    const n = await writePrefixes(id)
    patched.add('prefixes')
    // One copy on little-endian hosts: a loop of 65,536 reads would be hot enough for
    // V8 to start its optimizing compiler in an otherwise idle daemon (≈ 4 MB of the
    // node binary's code paged in).
    return `import { readFileSync } from 'node:fs'
import { endianness } from 'node:os'
const bytes = readFileSync(new URL('./${PREFIXES_FILE}', import.meta.url))
if (bytes.length !== ${n * 4}) throw new Error('${PREFIXES_FILE}: expected ${n * 4} bytes, found ' + bytes.length + ' (rebuild with npm run build)')
const prefixes = new Uint32Array(${n})
if (endianness() === 'LE') new Uint8Array(prefixes.buffer).set(bytes)
else for (let i = 0; i < ${n}; i++) prefixes[i] = bytes.readUInt32LE(i * 4)
export default prefixes
`
  },
  transform (code, id) {
    const matching = sites.filter((s) => s.file.test(id))
    if (matching.length === 0) return null
    let out = code
    for (const site of matching) {
      site.from.forEach((from, i) => {
        const at = out.indexOf(from)
        if (at < 0) throw new Error(`scripts/bundle.mjs: expected "${from}" in ${id}; the dependency changed, update the sites`)
        out = out.slice(0, at) + (Array.isArray(site.to) ? site.to[i] : site.to) + out.slice(at + from.length)
      })
      if (site.not != null && out.includes(site.not)) throw new Error(`scripts/bundle.mjs: ${id} still has ${site.not}; update the sites`)
      patched.add(site)
    }
    return { code: out, map: null }
  }
}

await build({
  input: join(root, 'dist', 'src', 'cli', 'run.js'),
  platform: 'node',
  logLevel: 'warn',
  plugins: [footprint],
  output: {
    dir: outDir,
    format: 'esm',
    entryFileNames: 'agentmesh.js',
    chunkFileNames: 'chunk-[name]-[hash].js',
    minify: process.env.AGENTMESH_BUNDLE_MANGLE === '1' ? true : { mangle: false, compress: true, codegen: true },
    keepNames: true,
    // Escapes the few non-ASCII characters (\u…): V8 keeps a source that has
    // any as a two-byte string, twice the size of the one-byte one.
    charset: 'ascii',
    sourcemap: true
  }
})
if (!patched.has('prefixes') || !patched.has('mortice') || patched.size !== 2 + sites.length) {
  throw new Error(`scripts/bundle.mjs: expected to patch kad-dht's prefix list, mortice's import and ${sites.length} sites, patched ${patched.size}`)
}
