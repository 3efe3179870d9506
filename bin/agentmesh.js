#!/usr/bin/env node
// agentmesh needs Node 22 (libp2p 3). `npm start`, `npm test` and `npx agentmesh`
// run the node@22 the project pins; a bare `node` may be older.
import { readdirSync, statSync } from 'node:fs'

const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(`agentmesh needs Node.js 22 or newer (this is ${process.version}).\n` +
    'Run it through npm (npx agentmesh …, npm start), which uses the Node 22 the project installs, or install Node 22.\n')
  process.exit(1)
}

// node:sqlite is stable enough for us but still flagged experimental on Node 22:
// silence exactly that warning, before any module loads it (src/cli/run.ts does
// the same for those who run dist/src directly).
process.removeAllListeners('warning')
process.on('warning', (w) => {
  if (w.name === 'ExperimentalWarning' && /SQLite/i.test(w.message)) return
  process.stderr.write(`${w.name}: ${w.message}\n`)
})

// `npm run build` also writes dist/bundle/agentmesh.js (scripts/bundle.mjs): the
// same code in one minified file, which a daemon keeps in ~15 MB less memory
// and loads in about half the time. It is used only when it is at least as new
// as every compiled file and the installed dependencies (after a bare `tsc`
// it would be stale); AGENTMESH_NO_BUNDLE=1 runs dist/src regardless.
const bundle = new URL('../dist/bundle/agentmesh.js', import.meta.url)
await import(freshBundle() ? bundle.href : new URL('../dist/src/cli/run.js', import.meta.url).href)

function freshBundle () {
  if (process.env.AGENTMESH_NO_BUNDLE === '1') return false
  try {
    const built = statSync(bundle).mtimeMs
    const newer = (dir) => readdirSync(dir, { withFileTypes: true }).some((e) => {
      const path = `${e.parentPath ?? e.path}/${e.name}`
      return e.isDirectory() ? newer(path) : e.name.endsWith('.js') && statSync(path).mtimeMs > built
    })
    for (const lock of ['../../node_modules/.package-lock.json', '../../package-lock.json']) {
      try { if (statSync(new URL(lock, bundle)).mtimeMs > built) return false } catch {}
    }
    return !newer(new URL('../src/', bundle).pathname)
  } catch {
    return false
  }
}
