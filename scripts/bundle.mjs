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
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

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
await build({
  input: join(root, 'dist', 'src', 'cli', 'run.js'),
  platform: 'node',
  logLevel: 'warn',
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
