#!/usr/bin/env node
// agentmesh needs Node 22 (libp2p 3). `npm start`, `npm test` and `npx agentmesh`
// run the node@22 the project pins; a bare `node` may be older.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(`agentmesh needs Node.js 22 or newer (this is ${process.version}).\n` +
    'Run it through npm (npx agentmesh …, npm start), which uses the Node 22 the project installs, or install Node 22.\n')
  process.exit(1)
}
await import('../dist/src/cli/run.js')
