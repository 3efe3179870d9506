import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { createSigner, type Signer } from '../envelope/index.js'
import { createIdentityKey, loadIdentityKey } from '../identity/index.js'
import { JoinBundle } from '../pb/agentmesh.js'
import { canonicalPolicyJson, examplePolicyYaml, parsePolicy, runPolicyTests } from '../policy/index.js'
import { writeFileAtomic } from './atomic-file.js'
import { parseGrant, signCertificate, type AgentGrant, type Certificate } from './certificate.js'
import { DEFAULT_VALIDITY_MS, OPERATOR } from './constants.js'
import { signPolicyRelease, signRevocationList } from './documents.js'
import { TrustError } from './errors.js'

/** The files of an authority folder. */
export function authorityPaths (dir: string): { key: string, state: string, policy: string, revocations: string } {
  return { key: join(dir, 'authority.key'), state: join(dir, 'state.json'), policy: join(dir, 'policy.signed'), revocations: join(dir, 'revocations.signed') }
}

/** What an authority remembers between commands. */
interface AuthorityState {
  nextSerial: number
  policyVersion: number
  revocationVersion: number
  revoked: number[]
  issued: Array<{ serial: number, peer: string, agents: string[], groups: string[], notAfterMs: number, issuedMs: number }>
}

/** An authority opened from its folder. */
export interface Authority {
  dir: string
  /** The authority's id: the peer-ID form of its key. */
  id: string
  signer: Signer
  state: AuthorityState
}

/**
 * Creates an authority in `dir` (0700; key 0600): a new Ed25519 key, a first
 * policy release (the example hierarchy policy, version 1) and an empty
 * revocation list. Refuses a folder inside a daemon home: the authority's key
 * must never sit beside a daemon's. An existing authority is kept as it is.
 */
export async function initAuthority (dir: string, now: number): Promise<{ authority: Authority, created: boolean }> {
  const root = resolve(dir)
  const home = enclosingDaemonHome(root)
  if (home !== undefined) throw new TrustError('AUTHORITY_IN_HOME', `${root} is inside the daemon home ${home}; keep the authority apart (the default is ~/.agentmesh-authority)`)
  const paths = authorityPaths(root)
  if (existsSync(paths.key)) return { authority: loadAuthority(root), created: false }
  mkdirSync(root, { recursive: true, mode: 0o700 })
  chmodSync(root, 0o700)
  const key = await createIdentityKey(paths.key)
  const authority = open(root, key, { nextSerial: 1, policyVersion: 0, revocationVersion: 0, revoked: [], issued: [] })
  save(authority)
  publishPolicy(authority, examplePolicyYaml, now)
  locked(authority, () => publishRevocations(authority, now))
  return { authority, created: true }
}

/** Opens the authority in `dir`. @throws {TrustError} `NO_AUTHORITY` if there is none */
export function loadAuthority (dir: string): Authority {
  const root = resolve(dir)
  const paths = authorityPaths(root)
  if (!existsSync(paths.key)) throw new TrustError('NO_AUTHORITY', `no authority in ${root} (create one with: agentmesh authority init --authority ${root})`)
  const key = loadIdentityKey(paths.key)
  const state = JSON.parse(readFileSync(paths.state, 'utf8')) as AuthorityState
  return open(root, key, state)
}

function open (dir: string, key: PrivateKey, state: AuthorityState): Authority {
  return { dir, id: peerIdFromPrivateKey(key).toString(), signer: createSigner(key), state }
}

/**
 * Runs `fn` holding the authority's lock file, re-reading the state first, so
 * that two commands at once can never hand out one serial or version twice.
 */
function locked<T> (a: Authority, fn: () => T): T {
  const lock = join(a.dir, 'authority.lock')
  let fd: number
  try {
    fd = openSync(lock, 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    throw new TrustError('AUTHORITY_BUSY', `another command is using the authority in ${a.dir} (if none is, remove ${lock})`)
  }
  try {
    a.state = JSON.parse(readFileSync(authorityPaths(a.dir).state, 'utf8')) as AuthorityState
    return fn()
  } finally {
    closeSync(fd)
    rmSync(lock, { force: true })
  }
}

function save (a: Authority): void {
  writeFileAtomic(authorityPaths(a.dir).state, JSON.stringify(a.state, null, 2) + '\n')
}

/** What {@link issueBundle} takes. */
export interface IssueRequest {
  peer: string
  /** `NAME:ROLE[:PARENT]` each. */
  agents: string[]
  groups?: string[]
  validForMs?: number
  now: number
}

/**
 * Issues a certificate for `peer` and returns the join bundle: the
 * certificate, the authority's id, its current signed policy and revocation
 * list.
 */
export function issueBundle (a: Authority, req: IssueRequest): { bundle: Uint8Array, cert: Certificate } {
  return locked(a, () => issueLocked(a, req))
}

function issueLocked (a: Authority, req: IssueRequest): { bundle: Uint8Array, cert: Certificate } {
  const agents: AgentGrant[] = req.agents.map(parseGrant)
  const names = new Set<string>()
  for (const g of agents) {
    if (g.name === OPERATOR) throw new TrustError('INVALID_GRANT', `"${OPERATOR}" is reserved for the host's operator`)
    if (names.has(g.name)) throw new TrustError('INVALID_GRANT', `agent "${g.name}" is named twice`)
    names.add(g.name)
  }
  const validFor = req.validForMs ?? DEFAULT_VALIDITY_MS
  const cert: Certificate = {
    serial: a.state.nextSerial,
    issuer: a.id,
    subject: req.peer,
    agents,
    groups: [...new Set(req.groups ?? [])],
    notBeforeMs: req.now - 60_000,
    notAfterMs: req.now + validFor,
    issuedMs: req.now
  }
  const signed = signCertificate(cert, a.signer)
  a.state.nextSerial++
  a.state.issued.push({ serial: cert.serial, peer: cert.subject, agents: req.agents, groups: cert.groups, notAfterMs: cert.notAfterMs, issuedMs: req.now })
  save(a)
  const paths = authorityPaths(a.dir)
  const bundle = JoinBundle.encode({
    certificate: signed as Uint8Array<ArrayBuffer>,
    authority: a.id,
    policy: readOrEmpty(paths.policy),
    revocations: readOrEmpty(paths.revocations)
  })
  return { bundle, cert }
}

/** Adds `serial` to the revocation list and signs a new version of it. Returns the Signed list. */
export function revokeSerial (a: Authority, serial: number, now: number): Uint8Array {
  return locked(a, () => revokeLocked(a, serial, now))
}

function revokeLocked (a: Authority, serial: number, now: number): Uint8Array {
  if (!Number.isSafeInteger(serial) || serial < 1 || serial >= a.state.nextSerial) {
    throw new TrustError('UNKNOWN_SERIAL', `this authority has issued no certificate ${serial} (serials 1–${a.state.nextSerial - 1})`)
  }
  if (!a.state.revoked.includes(serial)) a.state.revoked.push(serial)
  return publishRevocations(a, now)
}

/**
 * Validates a policy (it must parse and its embedded tests must pass), then
 * signs it as the next release. Returns the Signed release.
 *
 * @throws {PolicyError} when the policy is invalid or a test fails
 */
export function publishPolicy (a: Authority, text: string, now: number): Uint8Array {
  return existsSync(authorityPaths(a.dir).state) ? locked(a, () => publishLocked(a, text, now)) : publishLocked(a, text, now)
}

function publishLocked (a: Authority, text: string, now: number): Uint8Array {
  const policy = parsePolicy(text)
  const report = runPolicyTests(policy)
  if (report.failures.length > 0) {
    const first = report.failures[0]!
    throw new TrustError('POLICY_TESTS_FAILED', `${report.failures.length} of ${report.total} embedded policy tests fail; first: test ${first.index} ${first.test}: expected ${first.expected}, got ${first.got.allowed ? 'allow' : 'deny'} (${first.got.reason})`)
  }
  a.state.policyVersion++
  const bytes = signPolicyRelease({ issuer: a.id, version: a.state.policyVersion, issuedMs: now, document: canonicalPolicyJson(policy) }, a.signer)
  writeFileAtomic(authorityPaths(a.dir).policy, bytes)
  save(a)
  return bytes
}

function publishRevocations (a: Authority, now: number): Uint8Array {
  a.state.revocationVersion++
  const bytes = signRevocationList({ issuer: a.id, version: a.state.revocationVersion, issuedMs: now, serials: [...a.state.revoked].sort((x, y) => x - y) }, a.signer)
  writeFileAtomic(authorityPaths(a.dir).revocations, bytes)
  save(a)
  return bytes
}

function readOrEmpty (path: string): Uint8Array<ArrayBuffer> {
  return existsSync(path) ? new Uint8Array(readFileSync(path)) : new Uint8Array(0)
}

/** The daemon home that `dir` is in or is, if any (a folder holding identity.key). */
function enclosingDaemonHome (dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (statSync(join(d, 'identity.key')).isFile()) return d
    } catch {}
    if (dirname(d) === d) return undefined
  }
}
