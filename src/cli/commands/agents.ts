import { homePaths } from '../../home/index.js'
import { callApi } from '../api-client.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'

interface AgentView { name: string, url: string, role: string | null, parent?: string | null, address: string, token?: string, card?: { description?: string } }

/** `agentmesh agent add NAME --url URL [--role ROLE]`. */
export const agentAddCommand: Command = {
  name: 'agent add',
  summary: "Register a local A2A agent with this daemon. The daemon fetches its agent card, advertises it in the mesh, and prints the agent's caller token once.",
  args: [{ name: 'NAME', description: 'the agent name, unique on this host (letters, digits, . _ -)' }],
  options: {
    url: { type: 'string', valueName: 'URL', description: "the agent's A2A base URL, e.g. http://127.0.0.1:8080/my-agent (required)" },
    role: { type: 'string', valueName: 'ROLE', description: "the agent's role (lab mode only; in a closed mesh the role and parent come from this host's certificate)" }
  },
  json: true,
  async run ({ home, json, io, positionals, values }) {
    if (typeof values.url !== 'string') {
      throw new UsageError('--url is required')
    }
    const a = await callApi(homePaths(home).apiSocket, 'POST', '/v1/agents', { name: positionals[0], url: values.url, role: values.role ?? null }) as AgentView
    io.stdout(json
      ? JSON.stringify(a) + '\n'
      : `registered ${a.address}${a.role != null ? ` as ${a.role}${a.parent != null ? ` of ${a.parent}` : ''}` : ''}\n` +
        `caller token (shown once; the agent sends it as "Authorization: Bearer …" to act as itself):\n${a.token ?? '(none)'}\n`)
    return 0
  }
}

/** `agentmesh agent ls`. */
export const agentLsCommand: Command = {
  name: 'agent ls',
  summary: 'List the local agents registered with this daemon.',
  json: true,
  async run ({ home, json, io }) {
    const { agents } = await callApi(homePaths(home).apiSocket, 'GET', '/v1/agents') as { agents: AgentView[] }
    if (json) { io.stdout(JSON.stringify(agents, null, 2) + '\n'); return 0 }
    if (agents.length === 0) { io.stdout('no local agents (add one with: agentmesh agent add NAME --url URL)\n'); return 0 }
    for (const a of agents) io.stdout(`${a.name.padEnd(20)} ${(a.role ?? '-').padEnd(14)} ${(a.parent ?? '-').padEnd(14)} ${a.url}\n`)
    return 0
  }
}

/** `agentmesh agent rm NAME`. */
export const agentRmCommand: Command = {
  name: 'agent rm',
  summary: 'Unregister a local agent.',
  args: [{ name: 'NAME', description: 'the agent to remove' }],
  json: true,
  async run ({ home, json, io, positionals }) {
    const name = positionals[0] ?? ''
    await callApi(homePaths(home).apiSocket, 'DELETE', `/v1/agents/${encodeURIComponent(name)}`)
    io.stdout(json ? JSON.stringify({ removed: name }) + '\n' : `removed ${name}\n`)
    return 0
  }
}

/** `agentmesh agents find NAME`. */
export const agentsFindCommand: Command = {
  name: 'agents find',
  summary: 'Find which peers host agent NAME, through the DHT.',
  args: [{ name: 'NAME', description: 'the agent name' }],
  json: true,
  async run ({ home, json, io, positionals }) {
    const name = positionals[0] ?? ''
    const r = await callApi(homePaths(home).apiSocket, 'GET', `/v1/directory/${encodeURIComponent(name)}`) as { name: string, providers: Array<{ peer: string, address: string, local: boolean }> }
    if (json) { io.stdout(JSON.stringify(r) + '\n'); return 0 }
    if (r.providers.length === 0) { io.stdout(`no peer hosts an agent named ${name}\n`); return 1 }
    for (const p of r.providers) io.stdout(`${p.address}${p.local ? ' (this host)' : ''}\n`)
    return 0
  }
}
