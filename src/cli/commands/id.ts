import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { homePaths } from '../../home/index.js'
import { loadIdentityKey } from '../../identity/index.js'
import type { Command } from '../command.js'

/** `agentmesh id`: print this host's peer ID (read from the key; no daemon needed). */
export const idCommand: Command = {
  name: 'id',
  summary: "Print this host's peer ID. It is derived from the identity key, so it stays the same across restarts.",
  json: true,
  async run ({ home, json, io }) {
    const peerId = peerIdFromPrivateKey(loadIdentityKey(homePaths(home).identityKey)).toString()
    io.stdout(json ? JSON.stringify({ peerId }) + '\n' : `${peerId}\n`)
    return 0
  }
}
