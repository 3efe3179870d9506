#!/usr/bin/env node
// Health check for an agentmesh daemon, for containers that have no curl.
// Asks the daemon's local API (a Unix socket in its home) for GET /v1/status.
//
//   node healthcheck.mjs            live:  the API answers 200 with a peer ID
//   node healthcheck.mjs --ready    ready: live, and the host takes part in its mesh
//                                   (it holds a valid certificate, or runs --open)
//
// Exit 0 when healthy, 1 otherwise, with one line on stderr saying why.
// The home is $AGENTMESH_HOME (or --home DIR), as for the agentmesh command.
import { request } from 'node:http'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

const args = process.argv.slice(2)
const ready = args.includes('--ready')
const homeFlag = args.indexOf('--home')
const home = resolve(homeFlag >= 0 && args[homeFlag + 1] != null
  ? args[homeFlag + 1]
  : process.env.AGENTMESH_HOME ?? join(homedir(), '.agentmesh'))
const socketPath = join(home, 'api.sock')
const timeoutMs = Number(process.env.AGENTMESH_HEALTHCHECK_TIMEOUT_MS ?? 4000)

function fail (why) {
  process.stderr.write(`agentmesh unhealthy: ${why}\n`)
  process.exit(1)
}

const req = request({ socketPath, path: '/v1/status', method: 'GET', headers: { host: 'localhost' }, timeout: timeoutMs }, (res) => {
  let body = ''
  res.setEncoding('utf8')
  res.on('data', (chunk) => { body += chunk })
  res.on('end', () => {
    if (res.statusCode !== 200) fail(`GET /v1/status answered ${res.statusCode}`)
    let status
    try { status = JSON.parse(body) } catch { fail('GET /v1/status did not answer JSON') }
    if (typeof status?.peerId !== 'string' || status.peerId === '') fail('GET /v1/status has no peer ID')
    if (ready) {
      const trust = status.trust ?? {}
      if (trust.mode !== 'open' && trust.problem != null) {
        fail(`not ready: ${trust.problem.message ?? trust.problem.code ?? 'no certificate'}`)
      }
    }
    process.stdout.write(`agentmesh ${ready ? 'ready' : 'live'}: peer ${status.peerId}\n`)
    process.exit(0)
  })
})
req.on('timeout', () => { req.destroy(new Error(`no answer within ${timeoutMs} ms`)) })
req.on('error', (err) => fail(`${socketPath}: ${err.message}`))
req.end()
