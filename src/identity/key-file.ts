import { closeSync, openSync, readFileSync, statSync, writeSync, fsyncSync, renameSync, rmSync } from 'node:fs'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { KeyInvalidError, KeyMissingError, KeyPermissionsError } from './errors.js'

/** Mode bits that must be clear on the key file: any access by group or others. */
const FORBIDDEN_BITS = 0o077

/**
 * Loads the Ed25519 identity key (libp2p protobuf encoding). Refuses a key
 * that group or others can read or write, as ssh does.
 */
export function loadIdentityKey (path: string): PrivateKey {
  let mode: number
  try {
    mode = statSync(path).mode
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new KeyMissingError(path)
    throw new KeyInvalidError(path, (err as Error).message, { cause: err })
  }
  if ((mode & FORBIDDEN_BITS) !== 0) throw new KeyPermissionsError(path, mode)
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(readFileSync(path))
  } catch (err) {
    throw new KeyInvalidError(path, (err as Error).message, { cause: err })
  }
  if (key.type !== 'Ed25519') throw new KeyInvalidError(path, `it is a ${key.type} key`)
  return key
}

/**
 * Creates a new Ed25519 identity key at `path` with mode 0600. Never
 * overwrites: the file is written beside the target and linked in place only
 * if nothing is there yet.
 */
export async function createIdentityKey (path: string): Promise<PrivateKey> {
  const key = await generateKeyPair('Ed25519')
  const tmp = `${path}.${process.pid}.tmp`
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    writeSync(fd, privateKeyToProtobuf(key))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  // O_EXCL on the final name so a concurrent `init` cannot be clobbered.
  try {
    closeSync(openSync(path, 'wx', 0o600))
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
  renameSync(tmp, path)
  return key
}
