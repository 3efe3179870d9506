import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** The files and folders of a daemon's home. */
export interface HomePaths {
  root: string
  identityKey: string
  config: string
  lock: string
  apiSocket: string
  apiToken: string
  datastore: string
  database: string
  /** Certificates, trusted authorities, signed policies and revocation lists (see src/trust). */
  trust: string
}

/**
 * Picks the home folder: an explicit `--home`, else `$AGENTMESH_HOME`, else
 * `~/.agentmesh`.
 */
export function resolveHome (explicit: string | undefined, env: Record<string, string | undefined>): string {
  const chosen = explicit ?? env.AGENTMESH_HOME ?? join(homedir(), '.agentmesh')
  return resolve(chosen)
}

/** The layout of a home folder. */
export function homePaths (root: string): HomePaths {
  return {
    root,
    identityKey: join(root, 'identity.key'),
    config: join(root, 'config.json'),
    lock: join(root, 'daemon.lock'),
    apiSocket: join(root, 'api.sock'),
    apiToken: join(root, 'api.token'),
    datastore: join(root, 'datastore'),
    database: join(root, 'agentmesh.db'),
    trust: join(root, 'trust')
  }
}
