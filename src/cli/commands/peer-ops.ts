import { homePaths } from '../../home/index.js'
import { callApi } from '../api-client.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'

/** `agentmesh ping PEER`. */
export const pingCommand: Command = {
  name: 'ping',
  summary: 'Measure the round-trip time to a peer (looked up in the DHT if not yet known).',
  args: [{ name: 'PEER', description: 'the peer ID to ping' }],
  options: { count: { type: 'string', short: 'c', valueName: 'N', description: 'how many pings (default 1)' } },
  json: true,
  async run ({ home, json, io, positionals, values }) {
    const peer = positionals[0] ?? ''
    const count = values.count === undefined ? 1 : Number(values.count)
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      throw new UsageError('--count takes a whole number from 1 to 1000')
    }
    const rtts: number[] = []
    for (let i = 0; i < count; i++) {
      const r = await callApi(homePaths(home).apiSocket, 'POST', `/v1/peers/${encodeURIComponent(peer)}/ping`) as { rttMs: number }
      rtts.push(r.rttMs)
      if (!json) io.stdout(`pong from ${peer}: ${r.rttMs} ms\n`)
    }
    if (json) io.stdout(JSON.stringify({ peer, rttMs: rtts }) + '\n')
    return 0
  }
}

/** `agentmesh find PEER`. */
export const findCommand: Command = {
  name: 'find',
  summary: "Look a peer up in the mesh's DHT and print its addresses.",
  args: [{ name: 'PEER', description: 'the peer ID to look up' }],
  json: true,
  async run ({ home, json, io, positionals }) {
    const peer = positionals[0] ?? ''
    const r = await callApi(homePaths(home).apiSocket, 'GET', `/v1/peers/${encodeURIComponent(peer)}`) as { peer: string, addresses: string[], connected: boolean }
    if (json) { io.stdout(JSON.stringify(r) + '\n'); return 0 }
    io.stdout(`${r.peer}${r.connected ? ' (connected)' : ''}\n`)
    for (const a of r.addresses) io.stdout(`  ${a}\n`)
    return 0
  }
}

/** `agentmesh connect MULTIADDR`. */
export const connectCommand: Command = {
  name: 'connect',
  summary: 'Dial a peer at a multiaddr, such as one another daemon printed, and keep the connection.',
  args: [{ name: 'MULTIADDR', description: 'e.g. /ip4/10.0.0.1/tcp/4401/p2p/12D3KooW…' }],
  json: true,
  async run ({ home, json, io, positionals }) {
    const r = await callApi(homePaths(home).apiSocket, 'POST', '/v1/peers/connect', { multiaddr: positionals[0] }) as { peer: string, address: string }
    io.stdout(json ? JSON.stringify(r) + '\n' : `connected to ${r.peer} at ${r.address}\n`)
    return 0
  }
}
