import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { createIdentityKey, loadIdentityKey } from '../identity/index.js'
import { defaultConfig } from '../config/index.js'
import { HomeError } from './errors.js'
import { homePaths, type HomePaths } from './paths.js'

/** What {@link initHome} found or made. */
export interface InitResult {
  paths: HomePaths
  privateKey: PrivateKey
  peerId: string
  /** True when this call created the identity key (first run). */
  createdKey: boolean
  /** True when this call wrote the default config file. */
  createdConfig: boolean
}

/**
 * Makes sure the home exists (mode 0700) with an identity key (0600) and a
 * config file. Existing files are kept as they are: running it twice is safe.
 */
export async function initHome (root: string): Promise<InitResult> {
  const paths = homePaths(root)
  try {
    if (!existsSync(root)) mkdirSync(root, { recursive: true, mode: 0o700 })
    if (!statSync(root).isDirectory()) throw new HomeError(`${root} exists and is not a folder`)
    // The home holds the key and the API socket: nobody else may even list it.
    if ((statSync(root).mode & 0o077) !== 0) chmodSync(root, 0o700)
  } catch (err) {
    if (err instanceof HomeError) throw err
    throw new HomeError(`cannot create home ${root}: ${(err as Error).message}`, { cause: err })
  }
  let createdKey = false
  let privateKey: PrivateKey
  if (existsSync(paths.identityKey)) {
    privateKey = loadIdentityKey(paths.identityKey)
  } else {
    privateKey = await createIdentityKey(paths.identityKey)
    createdKey = true
  }
  let createdConfig = false
  if (!existsSync(paths.config)) {
    writeFileSync(paths.config, JSON.stringify(defaultConfig(), null, 2) + '\n', { mode: 0o600, flag: 'wx' })
    createdConfig = true
  }
  return { paths, privateKey, peerId: peerIdFromPrivateKey(privateKey).toString(), createdKey, createdConfig }
}
