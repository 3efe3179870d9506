// Runs one test A2A agent as its own process, for tests that kill or restart agents.
//   node test/helpers/agent-process.mjs --kind echo|task --name NAME [--port N] [--host H] [--chunk-delay MS]
// Prints one line `{"url":…,"port":…,"pid":…}` on stdout when listening.
// `GET /count` answers the deliveries per messageId as JSON. SIGTERM/SIGINT close it.
import { parseArgs } from 'node:util'
import { startAgentServer } from './agent-core.mjs'

const { values } = parseArgs({
  options: {
    kind: { type: 'string', default: 'echo' },
    name: { type: 'string', default: 'echo' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'chunk-delay': { type: 'string', default: '10' }
  }
})

const agent = await startAgentServer({
  kind: values.kind,
  name: values.name,
  host: values.host,
  port: Number(values.port),
  chunkDelayMs: Number(values['chunk-delay'])
})
process.stdout.write(JSON.stringify({ url: agent.url, port: agent.port, pid: process.pid }) + '\n')

const shutdown = () => { agent.close().finally(() => process.exit(0)) }
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
