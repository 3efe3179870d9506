import { initHome } from '../../home/index.js'
import type { Command } from '../command.js'

/** `agentmesh init`: create the home, its identity and a default config. */
export const initCommand: Command = {
  name: 'init',
  summary: 'Create the daemon home: an Ed25519 identity key (0600) and a default config. Safe to run again; nothing existing is overwritten.',
  json: true,
  async run ({ home, json, io }) {
    const r = await initHome(home)
    if (json) {
      io.stdout(JSON.stringify({ home, peerId: r.peerId, createdKey: r.createdKey, createdConfig: r.createdConfig }) + '\n')
    } else {
      io.stdout(`${r.createdKey ? 'created' : 'kept existing'} identity ${r.paths.identityKey}\n`)
      io.stdout(`${r.createdConfig ? 'created' : 'kept existing'} config   ${r.paths.config}\n`)
      io.stdout(`peer ID: ${r.peerId}\n`)
    }
    return 0
  }
}
