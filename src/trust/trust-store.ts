import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { JoinBundle } from '../pb/agentmesh.js'
import type { Verifier } from '../envelope/index.js'
import { parsePolicy, type Policy } from '../policy/index.js'
import type { Logger } from '../telemetry/index.js'
import { writeFileAtomic } from './atomic-file.js'
import { checkCertificate, openCertificate, type Certificate } from './certificate.js'
import { openPolicyRelease, openRevocationList, type PolicyRelease, type RevocationList } from './documents.js'
import { TrustError } from './errors.js'

/** A policy release that verified and parsed. */
export interface HeldPolicy {
  release: PolicyRelease
  policy: Policy
  bytes: Uint8Array
}

/** A revocation list that verified. */
export interface HeldRevocations {
  list: RevocationList
  serials: ReadonlySet<number>
  bytes: Uint8Array
}

/** What {@link TrustStore} needs. */
export interface TrustStoreInit {
  /** The home's trust folder. */
  dir: string
  /** This daemon's peer ID: its certificate must be issued for it. */
  localPeer: string
  verifier: Verifier
  /** Authorities trusted by configuration, beside those of joined bundles. */
  configuredAuthorities?: readonly string[]
  now: () => number
  log?: Logger
}

/** The files of a trust folder. */
export function trustPaths (dir: string): { certificate: string, authorities: string, policies: string, revocations: string } {
  return {
    certificate: join(dir, 'certificate'),
    authorities: join(dir, 'authorities'),
    policies: join(dir, 'policies'),
    revocations: join(dir, 'revocations')
  }
}

/**
 * What this daemon trusts and holds: its own certificate, the authorities it
 * trusts, and the newest signed policy release and revocation list of each.
 * Kept in the home's `trust/` folder (owner-only files); newer documents
 * learned from peers replace older ones there, so a restart keeps them.
 */
export class TrustStore {
  private readonly init: TrustStoreInit
  private readonly paths: ReturnType<typeof trustPaths>
  private own: { cert: Certificate, bytes: Uint8Array } | undefined
  private authorities = new Set<string>()
  private readonly policies = new Map<string, HeldPolicy>()
  private readonly revocations = new Map<string, HeldRevocations>()
  private changes = 0

  constructor (init: TrustStoreInit) {
    this.init = init
    this.paths = trustPaths(init.dir)
  }

  /** (Re)reads the trust folder. Unreadable or invalid files are logged and skipped, never fatal. */
  load (): void {
    const { log, verifier } = this.init
    this.changes++
    this.authorities = new Set(this.init.configuredAuthorities ?? [])
    if (existsSync(this.paths.authorities)) {
      for (const line of readFileSync(this.paths.authorities, 'utf8').split('\n')) {
        const id = line.trim()
        if (id !== '' && !id.startsWith('#')) this.authorities.add(id)
      }
    }
    for (const [dir, take] of [[this.paths.policies, (b: Uint8Array) => this.takePolicy(b, false)], [this.paths.revocations, (b: Uint8Array) => this.takeRevocations(b, false)]] as const) {
      if (!existsSync(dir)) continue
      for (const name of readdirSync(dir)) {
        if (name.endsWith('.tmp')) continue
        try { take(readFileSync(join(dir, name))) } catch (err) { log?.warn({ file: join(dir, name), err: (err as Error).message }, 'ignoring an invalid trust document') }
      }
    }
    this.own = undefined
    if (existsSync(this.paths.certificate)) {
      const bytes = new Uint8Array(readFileSync(this.paths.certificate))
      try {
        this.own = { cert: openCertificate(bytes, verifier), bytes }
      } catch (err) {
        log?.warn({ err: (err as Error).message }, 'ignoring this host\'s certificate: it does not verify')
      }
    }
  }

  /** This daemon's certificate, if it has one (valid or not: see {@link ownProblem}). */
  certificate (): { cert: Certificate, bytes: Uint8Array } | undefined {
    return this.own
  }

  /** Why this daemon's own certificate cannot be used now, or undefined if it can. */
  ownProblem (): TrustError | undefined {
    if (this.own == null) return new TrustError('NO_CERTIFICATE', 'this host has no certificate yet')
    try {
      this.check(this.own.cert, this.init.localPeer)
      return undefined
    } catch (err) {
      return err as TrustError
    }
  }

  /** Throws unless `cert` is valid for `subject` now. @throws {TrustError} */
  check (cert: Certificate, subject: string): void {
    checkCertificate(cert, { subject, trusted: this.authorities, now: this.init.now(), isRevoked: (i, s) => this.isRevoked(i, s) })
  }

  /**
   * Changes whenever what {@link check} depends on besides the clock may have changed: the
   * trusted authorities (a reload) or a revocation list.
   */
  get generation (): number {
    return this.changes
  }

  trusted (): ReadonlySet<string> {
    return this.authorities
  }

  isRevoked (issuer: string, serial: number): boolean {
    return this.revocations.get(issuer)?.serials.has(serial) ?? false
  }

  /** The newest policy of `issuer` (by default the issuer of this host's certificate). */
  policy (issuer = this.own?.cert.issuer): HeldPolicy | undefined {
    return issuer === undefined ? undefined : this.policies.get(issuer)
  }

  revocationList (issuer: string): HeldRevocations | undefined {
    return this.revocations.get(issuer)
  }

  /** The signed documents a hello carries: the newest policy and revocation list of each trusted authority. */
  documents (): { policies: Uint8Array[], revocations: Uint8Array[] } {
    return {
      policies: [...this.policies.values()].map((p) => p.bytes),
      revocations: [...this.revocations.values()].map((r) => r.bytes)
    }
  }

  /**
   * Offers signed documents (from a peer's hello, or `policy push`). Each that
   * verifies, comes from a trusted authority and is newer than what is held
   * replaces it, on disk too. Returns how many were taken; invalid ones are
   * reported through `onInvalid` and otherwise ignored.
   */
  offer (docs: { policies?: Uint8Array[], revocations?: Uint8Array[] }, onInvalid?: (err: Error) => void): number {
    let taken = 0
    // Every hello carries the documents its sender holds, which are almost
    // always the ones held here: the same bytes need no second signature check.
    for (const b of docs.policies ?? []) {
      if (holds(this.policies.values(), b)) continue
      try { if (this.takePolicy(b, true)) taken++ } catch (err) { onInvalid?.(err as Error) }
    }
    for (const b of docs.revocations ?? []) {
      if (holds(this.revocations.values(), b)) continue
      try { if (this.takeRevocations(b, true)) taken++ } catch (err) { onInvalid?.(err as Error) }
    }
    return taken
  }

  private takePolicy (bytes: Uint8Array, persist: boolean): boolean {
    const release = openPolicyRelease(bytes, this.init.verifier)
    if (!this.authorities.has(release.issuer)) throw new TrustError('UNTRUSTED_ISSUER', `policy release ${release.version} is signed by ${release.issuer}, an authority this daemon does not trust`)
    const held = this.policies.get(release.issuer)
    if (held != null && held.release.version >= release.version) return false
    let policy: Policy
    try { policy = parsePolicy(release.document, 'json') } catch (err) {
      throw new TrustError('BAD_DOCUMENT', `policy release ${release.version} of ${release.issuer} does not parse: ${(err as Error).message}`, { cause: err })
    }
    this.policies.set(release.issuer, { release, policy, bytes })
    if (persist) writeFileAtomic(join(this.paths.policies, release.issuer), bytes)
    this.init.log?.info({ issuer: release.issuer, version: release.version }, 'installed a newer policy release')
    return true
  }

  private takeRevocations (bytes: Uint8Array, persist: boolean): boolean {
    const list = openRevocationList(bytes, this.init.verifier)
    if (!this.authorities.has(list.issuer)) throw new TrustError('UNTRUSTED_ISSUER', `revocation list ${list.version} is signed by ${list.issuer}, an authority this daemon does not trust`)
    const held = this.revocations.get(list.issuer)
    if (held != null && held.list.version >= list.version) return false
    this.revocations.set(list.issuer, { list, serials: new Set(list.serials), bytes })
    this.changes++
    if (persist) writeFileAtomic(join(this.paths.revocations, list.issuer), bytes)
    this.init.log?.info({ issuer: list.issuer, version: list.version, revoked: list.serials.length }, 'installed a newer revocation list')
    return true
  }
}

/**
 * Installs a join bundle into a trust folder: checks that the certificate is
 * for `localPeer` and signed by the bundle's authority, then writes the
 * certificate, adds the authority to the trusted list, and stores the
 * bundle's policy and revocation list (unless newer ones are held).
 *
 * @throws {TrustError} when the bundle does not decode or does not fit this host
 */
export function installBundle (dir: string, bundleBytes: Uint8Array, localPeer: string, verifier: Verifier, now: number): Certificate {
  let bundle: JoinBundle
  try { bundle = JoinBundle.decode(bundleBytes) } catch (err) {
    throw new TrustError('INVALID_BUNDLE', `not a join bundle: ${(err as Error).message}`, { cause: err })
  }
  const cert = openCertificate(bundle.certificate, verifier)
  if (cert.issuer !== bundle.authority) throw new TrustError('INVALID_BUNDLE', `the bundle's certificate is issued by ${cert.issuer}, not by the bundle's authority ${bundle.authority}`)
  checkCertificate(cert, { subject: localPeer, trusted: new Set([bundle.authority]), now, isRevoked: () => false })
  const paths = trustPaths(dir)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const store = new TrustStore({ dir, localPeer, verifier, now: () => now })
  store.load()
  const authorities = new Set(store.trusted())
  authorities.add(bundle.authority)
  writeFileAtomic(paths.authorities, [...authorities].join('\n') + '\n')
  store.load()
  store.offer({ policies: bundle.policy.byteLength > 0 ? [bundle.policy] : [], revocations: bundle.revocations.byteLength > 0 ? [bundle.revocations] : [] })
  if (store.isRevoked(cert.issuer, cert.serial)) throw new TrustError('REVOKED', `certificate ${cert.serial} in this bundle is already revoked`)
  writeFileAtomic(paths.certificate, bundle.certificate)
  return cert
}

/** Whether one of the held documents is exactly `bytes`. */
function holds (held: Iterable<{ bytes: Uint8Array }>, bytes: Uint8Array): boolean {
  for (const h of held) {
    if (h.bytes.byteLength === bytes.byteLength && Buffer.compare(h.bytes, bytes) === 0) return true
  }
  return false
}
