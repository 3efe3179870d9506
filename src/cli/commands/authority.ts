import { authorityPaths, initAuthority } from '../../trust/index.js'
import type { Command } from '../command.js'
import { AUTHORITY_OPTION, resolveAuthority, table } from './trust-support.js'

/** `agentmesh authority init [--authority DIR]`. */
export const authorityInitCommand: Command = {
  name: 'authority init',
  summary: "Create the mesh's root of trust, kept apart from any daemon home. Its key signs membership certificates, the hierarchy policy and revocation lists. Safe to run again; an existing authority is kept.",
  options: { authority: AUTHORITY_OPTION },
  json: true,
  details: [
    'The authority folder (0700, key 0600) must stay apart from any daemon home, ideally on',
    "another machine: whoever holds its key decides who joins the mesh. A new authority starts",
    'with the example hierarchy policy (see: agentmesh policy example) as policy version 1.'
  ].join('\n'),
  async run ({ io, json, values }) {
    const dir = resolveAuthority(values.authority, io.env)
    const { authority, created } = await initAuthority(dir, Date.now())
    const paths = authorityPaths(authority.dir)
    if (json) {
      io.stdout(JSON.stringify({ authority: authority.id, dir: authority.dir, created, key: paths.key, policyVersion: authority.state.policyVersion }) + '\n')
      return 0
    }
    io.stdout(`${created ? 'created' : 'kept existing'} authority ${authority.id}\n`)
    io.stdout(table([
      ['folder', authority.dir],
      ['key', `${paths.key} (keep it secret and backed up)`],
      ['policy', `version ${authority.state.policyVersion} (replace it with: agentmesh policy push FILE --authority ${authority.dir})`],
      ['issued', `${authority.state.issued.length} certificate(s)`]
    ], '  '))
    io.stdout([
      'next: on each host, print its peer ID with `agentmesh id`, then issue its certificate here:',
      `  agentmesh cert issue --authority ${authority.dir} --peer PEER_ID --agent NAME:ROLE[:PARENT] --out host.bundle`,
      ''
    ].join('\n'))
    return 0
  }
}
