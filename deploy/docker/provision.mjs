#!/usr/bin/env node
// Prepares an agentmesh home from files an orchestrator mounts read-only
// (a Kubernetes Secret and ConfigMap), before the daemon starts. Run it as the
// user the daemon runs as; it is what the StatefulSet's init container runs.
//
//   identity: $AGENTMESH_IDENTITY_DIR/<name>.key, else .../identity.key, where
//             <name> is $POD_NAME (a StatefulSet pod: agentmesh-0, agentmesh-1 …).
//             The bytes of an identity.key (Ed25519, libp2p protobuf encoding),
//             as `agentmesh init` writes it. Installed as <home>/identity.key, 0600.
//   config:   $AGENTMESH_CONFIG_FILE (a config.json), installed as <home>/config.json, 0600.
//   bundle:   $AGENTMESH_IDENTITY_DIR/<name>.bundle, else .../join.bundle: a join bundle,
//             installed with `agentmesh join` (it must be issued for this key's peer ID).
//             A bundle that cannot be installed is reported, not fatal.
//
// Whatever is absent is left as it is: with no key, the daemon creates one on
// first start and keeps it in the home (a persistent volume). Mounted files are
// copied because the daemon, like ssh, refuses a key that group or others can
// read, and a Secret volume cannot give a file 0600 and the daemon's owner.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const env = process.env
const home = resolve(env.AGENTMESH_HOME ?? join(homedir(), '.agentmesh'))
const identityDir = env.AGENTMESH_IDENTITY_DIR ?? '/etc/agentmesh/identity'
const configFile = env.AGENTMESH_CONFIG_FILE ?? '/etc/agentmesh/config/config.json'
const name = env.POD_NAME ?? ''
const cli = fileURLToPath(new URL('../../bin/agentmesh.js', import.meta.url))

function say (line) { process.stdout.write(`agentmesh provision: ${line}\n`) }
function die (line) { process.stderr.write(`agentmesh provision: ${line}\n`); process.exit(1) }

/** The first of `candidates` that is a readable file, or undefined. */
function firstFile (candidates) {
  for (const c of candidates) {
    try { if (statSync(c).isFile()) return c } catch {}
  }
  return undefined
}

/** Writes `bytes` to `target` with mode 0600, atomically (never half a key). */
function install (bytes, target) {
  const tmp = `${target}.provision.tmp`
  rmSync(tmp, { force: true })
  writeFileSync(tmp, bytes, { mode: 0o600, flag: 'wx' })
  chmodSync(tmp, 0o600)
  renameSync(tmp, target)
}

try {
  if (!existsSync(home)) mkdirSync(home, { recursive: true, mode: 0o700 })
  chmodSync(home, 0o700)
} catch (err) {
  die(`cannot prepare the home ${home}: ${err.message}`)
}

const names = name !== '' ? [name] : []
const key = firstFile([...names.map((n) => join(identityDir, `${n}.key`)), join(identityDir, 'identity.key')])
if (key != null) {
  const bytes = readFileSync(key)
  if (bytes.length === 0) die(`${key} is empty`)
  const target = join(home, 'identity.key')
  const same = existsSync(target) && readFileSync(target).equals(bytes)
  install(bytes, target)
  say(`${same ? 'kept' : 'installed'} identity key from ${key}`)
} else {
  say(`no identity key in ${identityDir}${name !== '' ? ` (looked for ${name}.key and identity.key)` : ''}; the daemon keeps or creates its own`)
}

if (existsSync(configFile)) {
  const text = readFileSync(configFile, 'utf8')
  try { JSON.parse(text) } catch (err) { die(`${configFile} is not JSON: ${err.message}`) }
  install(text, join(home, 'config.json'))
  say(`installed config from ${configFile}`)
}

const bundle = firstFile([...names.map((n) => join(identityDir, `${n}.bundle`)), join(identityDir, 'join.bundle')])
if (bundle != null) {
  // Not fatal: the daemon still starts, with the certificate the home already
  // holds, and its readiness check says what is wrong. A stale bundle left in a
  // Secret must not keep a pod from starting whose home has a newer one.
  const r = spawnSync(process.execPath, [cli, 'join', bundle, '--home', home], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' })
  if (r.status !== 0) {
    process.stderr.write(`agentmesh provision: could not install the join bundle ${bundle} (exit ${r.status ?? r.signal}); the daemon starts with the certificate the home holds, if any:\n${r.stderr ?? ''}`)
  }
}
