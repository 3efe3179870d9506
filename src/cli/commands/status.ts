import type { StatusView, PeerView } from '../../api/index.js'
import { homePaths } from '../../home/index.js'
import { callApi } from '../api-client.js'
import type { Command } from '../command.js'

/** `agentmesh status`. */
export const statusCommand: Command = {
  name: 'status',
  summary: 'Show the running daemon: peer ID, addresses, reachability, connections, DHT size.',
  json: true,
  async run ({ home, json, io }) {
    const s = await callApi(homePaths(home).apiSocket, 'GET', '/v1/status') as StatusView
    if (json) { io.stdout(JSON.stringify(s, null, 2) + '\n'); return 0 }
    io.stdout([
      `peer ID:      ${s.peerId}`,
      `mesh:         ${s.mesh}`,
      `trust:        ${trustLine(s.trust as TrustSummary | undefined)}`,
      `reachability: ${s.nat.reachability} (${s.nat.how})${s.nat.relayed ? `; relayed at ${s.nat.relayAddresses.length} relay(s)` : ''}`,
      `connections:  ${s.connections} (${s.peers} peers)`,
      `DHT:          ${s.dht.mode}, ${s.dht.routingTableSize} peers in routing table`,
      `mDNS:         ${s.mdns ? 'on' : 'off'}`,
      `agents:       ${s.agents.length === 0 ? 'none' : s.agents.join(', ')}`,
      `API:          ${s.api.socket}${s.api.tcp != null ? `, tcp ${s.api.tcp}` : ''}`,
      `uptime:       ${Math.round(s.uptimeMs / 1000)} s`,
      'addresses:',
      ...s.addresses.map((a) => `  ${a}`)
    ].join('\n') + '\n')
    return 0
  }
}

/** The parts of `/v1/trust` that status shows. */
interface TrustSummary {
  mode: 'open' | 'closed'
  certificate: { serial: number, issuer: string } | null
  problem: { code: string, message: string } | null
  policy: { version: number } | null
  verifiedPeers: unknown[]
}

/** One line: the trust mode and what it rests on, or what is missing. */
export function trustLine (t: TrustSummary | undefined): string {
  if (t == null) return 'unknown'
  if (t.mode === 'open') return 'OPEN MODE (lab): any peer may connect and send tasks; nothing is checked'
  if (t.problem != null) return `closed mesh, WAITING FOR A CERTIFICATE (${t.problem.message}); fix: agentmesh join FILE`
  return `closed mesh: certificate ${t.certificate?.serial ?? '?'} from ${t.certificate?.issuer ?? '?'}, policy v${t.policy?.version ?? 'none'}, ${t.verifiedPeers.length} verified peers`
}

/** `agentmesh peers`. */
export const peersCommand: Command = {
  name: 'peers',
  summary: 'List the peers this daemon is connected to.',
  json: true,
  async run ({ home, json, io }) {
    const { peers } = await callApi(homePaths(home).apiSocket, 'GET', '/v1/peers') as { peers: PeerView[] }
    if (json) { io.stdout(JSON.stringify(peers, null, 2) + '\n'); return 0 }
    if (peers.length === 0) { io.stdout('no connected peers\n'); return 0 }
    for (const p of peers) {
      const path = p.path === 'relayed' ? `relayed via ${p.relay ?? '?'}` : 'direct'
      io.stdout(`${p.peer}  ${p.direction.padEnd(8)} ${path} since ${p.since}  ${p.addresses.join(', ')}${p.limited ? ' (limited)' : ''}\n`)
    }
    return 0
  }
}
