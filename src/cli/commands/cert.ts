import { resolve } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { hasCode } from '../../errors.js'
import { AGENT_NAME } from '../../registry/index.js'
import { authorityPaths, issueBundle, loadAuthority, OPERATOR, parseGrant, revokeSerial } from '../../trust/index.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { AUTHORITY_OPTION, callDaemonIfRunning, certificateJson, checkOutput, grantSpec, parseDuration, refusedByDaemon, resolveAuthority, table, writeSecret } from './trust-support.js'

/** Default of `--valid-for`. */
const DEFAULT_VALID_FOR = '30d'

/** Names and roles: what a registered agent's name may be (see the registry). */
const NAME_RULE = '1–64 of letters, digits, . _ -, starting with a letter or digit'

/** Checks a peer ID typed on the command line. @throws {UsageError} */
export function checkPeerId (text: string, flag: string): string {
  let type: string
  try { type = peerIdFromString(text).type } catch {
    throw new UsageError(`${flag} "${text}" is not a peer ID (a host's looks like 12D3KooW…; print it on the host with: agentmesh id)`)
  }
  if (type !== 'Ed25519') throw new UsageError(`${flag} "${text}" is a ${type} peer ID; agentmesh hosts have Ed25519 ones (12D3KooW…)`)
  return text
}

/** Checks one `--agent NAME:ROLE[:PARENT]` before anything is signed. @throws {UsageError} */
function checkAgentSpec (spec: string): void {
  let grant
  try { grant = parseGrant(spec) } catch (err) { throw new UsageError(`--agent ${(err as Error).message}`) }
  const bad = (what: string, value: string): UsageError => new UsageError(`--agent "${spec}": ${what} "${value}" is not valid (${NAME_RULE})`)
  if (grant.name === OPERATOR) throw new UsageError(`--agent "${spec}": "${OPERATOR}" is reserved for the host's operator`)
  if (!AGENT_NAME.test(grant.name)) throw bad('NAME', grant.name)
  if (!AGENT_NAME.test(grant.role)) throw bad('ROLE', grant.role)
  if (grant.parent === '') return
  const [parent = '', peer, ...more] = grant.parent.split('@')
  if (!AGENT_NAME.test(parent) || more.length > 0) throw bad('PARENT (name or name@peer)', grant.parent)
  if (peer !== undefined) checkPeerId(peer, `--agent "${spec}": PARENT's peer`)
}

/** `agentmesh cert issue …`. */
export const certIssueCommand: Command = {
  name: 'cert issue',
  summary: "Issue a host's membership certificate and write its join bundle. The bundle holds the certificate, the authority's public key, and the current signed policy and revocation list.",
  options: {
    authority: AUTHORITY_OPTION,
    peer: { type: 'string', valueName: 'ID', description: "the host's peer ID (run `agentmesh id` on it) (required)" },
    agent: { type: 'string', multiple: true, valueName: 'NAME:ROLE[:PARENT]', description: "an agent the host may run, its role and the agent it reports to (PARENT: name or name@peer); repeat for more. None: the host takes part only as its operator (a caller, hosting no agent)" },
    group: { type: 'string', multiple: true, valueName: 'G', description: "a group the host's agents are in (e.g. finance); repeat for more" },
    'valid-for': { type: 'string', valueName: 'DURATION', description: `how long the certificate is valid: <n>d, <n>h, <n>m or <n>s (default ${DEFAULT_VALID_FOR})` },
    out: { type: 'string', valueName: 'FILE', description: 'where to write the bundle (mode 0600) (required)' },
    force: { type: 'boolean', description: 'overwrite FILE if it exists' }
  },
  json: true,
  details: 'Example:\n  agentmesh cert issue --peer 12D3KooW… --agent planner:orchestrator --agent search:specialist:planner --out host-a.bundle\n' +
    'Copy the bundle to the host and run `agentmesh join FILE` there. The bundle holds no secret key,\nbut it names the mesh: keep it to the people who run that host.',
  async run ({ io, json, values }) {
    const peer = typeof values.peer === 'string' ? checkPeerId(values.peer, '--peer') : undefined
    if (peer === undefined) throw new UsageError('--peer is required (the host\'s peer ID; print it on the host with: agentmesh id)')
    const agents = (values.agent as string[] | undefined) ?? []
    agents.forEach(checkAgentSpec)
    const groups = (values.group as string[] | undefined) ?? []
    for (const g of groups) if (!AGENT_NAME.test(g)) throw new UsageError(`--group "${g}" is not a valid group name (${NAME_RULE})`)
    const validForMs = parseDuration(typeof values['valid-for'] === 'string' ? values['valid-for'] : DEFAULT_VALID_FOR, '--valid-for')
    if (typeof values.out !== 'string' || values.out === '') throw new UsageError('--out FILE is required (where to write the join bundle)')
    const out = resolve(values.out)
    const force = values.force === true
    checkOutput(out, force)

    const authority = loadAuthority(resolveAuthority(values.authority, io.env))
    let issued
    try {
      issued = issueBundle(authority, { peer, agents, groups, validForMs, now: Date.now() })
    } catch (err) {
      if (hasCode(err, 'INVALID_GRANT')) throw new UsageError(`--agent: ${(err as Error).message}`)
      throw err
    }
    writeSecret(out, issued.bundle, force)

    const cert = certificateJson(issued.cert)
    if (json) { io.stdout(JSON.stringify({ ...cert, authorityDir: authority.dir, out }) + '\n'); return 0 }
    io.stdout(`issued certificate ${cert.serial}\n`)
    io.stdout(table([
      ['subject', cert.subject],
      ['issuer', cert.issuer],
      ['agents', cert.agents.map(grantSpec).join(', ')],
      ['groups', cert.groups.length === 0 ? '-' : cert.groups.join(', ')],
      ['expires', cert.notAfter],
      ['bundle', out]
    ], '  '))
    io.stdout(`next: copy the bundle to the host and run there:\n  agentmesh join ${out} --home HOME\n`)
    return 0
  }
}

/** The serial of `--serial`. @throws {UsageError} */
function parseSerial (value: unknown): number {
  if (typeof value !== 'string') throw new UsageError('--serial N is required (the serial that `cert issue` and `cert show` print)')
  const n = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--serial "${value}" is not a certificate serial (a whole number from 1)`)
  return n
}

/** `agentmesh cert revoke --serial N`. */
export const certRevokeCommand: Command = {
  name: 'cert revoke',
  summary: "Revoke a certificate. Signs a new revocation list and installs it on this home's running daemon, which spreads it to every peer of the mesh.",
  options: {
    authority: AUTHORITY_OPTION,
    serial: { type: 'string', valueName: 'N', description: 'the serial of the certificate to revoke (required)' }
  },
  json: true,
  details: 'The list is signed in the authority folder whether or not a daemon runs. Installed on any one\n' +
    'running daemon of the mesh (this command with --home), it spreads peer to peer; peers holding the\n' +
    'revoked certificate are disconnected. Revoking a serial twice is harmless.',
  async run ({ home, io, json, values }) {
    const serial = parseSerial(values.serial)
    const authority = loadAuthority(resolveAuthority(values.authority, io.env))
    const list = revokeSerial(authority, serial, Date.now())
    const file = authorityPaths(authority.dir).revocations
    const issued = authority.state.issued.find((c) => c.serial === serial)
    let answer: { taken: number } | undefined
    try {
      answer = await callDaemonIfRunning(home, 'POST', '/v1/trust/documents', { revocations: [Buffer.from(list).toString('base64')] })
    } catch (err) {
      throw refusedByDaemon(err, `certificate ${serial} is revoked (revocation list version ${authority.state.revocationVersion}: ${file})`, home)
    }
    const result = {
      serial,
      peer: issued?.peer ?? null,
      version: authority.state.revocationVersion,
      revoked: [...authority.state.revoked].sort((a, b) => a - b),
      file,
      home,
      daemon: answer == null ? 'not-running' : 'installed'
    }
    if (json) { io.stdout(JSON.stringify(result) + '\n'); return 0 }
    io.stdout(`revoked certificate ${serial}${issued != null ? ` (peer ${issued.peer}, agents ${issued.agents.join(', ')})` : ''}\n`)
    io.stdout(`signed revocation list version ${result.version} (${result.revoked.length} revoked): ${file}\n`)
    if (answer != null) io.stdout(`installed on the running daemon of ${home}; it spreads to the mesh from there\n`)
    else io.stdout(`no daemon is running on ${home}: the list spreads once installed on any running daemon of the mesh; run this command again with --home of one\n`)
    return 0
  }
}
