import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { readConfigFile, resolveConfig } from '../../config/index.js'
import { createVerifier } from '../../envelope/index.js'
import { hasCode } from '../../errors.js'
import { homePaths, initHome } from '../../home/index.js'
import { loadIdentityKey } from '../../identity/index.js'
import { describeCertificate, installBundle, openCertificate, readBundle, TrustError, TrustStore, trustPaths } from '../../trust/index.js'
import type { Command } from '../command.js'
import { callDaemonIfRunning, certificateJson, grantSpec, readInput, table, type CertificateJson } from './trust-support.js'

/** `agentmesh join FILE`. */
export const joinCommand: Command = {
  name: 'join',
  summary: "Install a join bundle (from `agentmesh cert issue`) into this host's home. A running daemon takes it at once, without a restart.",
  args: [{ name: 'FILE', description: 'the join bundle' }],
  json: true,
  details: 'The bundle must be issued for this home\'s peer ID (print it with: agentmesh id). Joining\nagain with a newer bundle replaces the certificate.',
  async run ({ home, io, json, positionals }) {
    const file = resolve(positionals[0] ?? '')
    const bytes = readInput(file, 'bundle')
    const { peerId, paths } = await initHome(home)
    let cert
    try {
      cert = installBundle(paths.trust, bytes, peerId, createVerifier(), Date.now())
    } catch (err) {
      if (hasCode(err, 'WRONG_SUBJECT')) {
        const subject = readBundle(bytes, createVerifier()).cert.subject
        throw new TrustError('WRONG_SUBJECT', `this bundle is for peer ${subject}, but the home ${home} is peer ${peerId}; issue one for it with: agentmesh cert issue --peer ${peerId} …`, { cause: err })
      }
      throw err
    }
    const view = await callDaemonIfRunning(home, 'POST', '/v1/trust/reload') as TrustViewPart | undefined
    const taken = view != null && view.certificate?.serial === cert.serial
    const result = {
      certificate: certificateJson(cert),
      home,
      trust: paths.trust,
      daemon: view == null ? 'not-running' : 'reloaded',
      problem: view?.problem ?? null
    }
    if (json) { io.stdout(JSON.stringify(result) + '\n'); return 0 }
    io.stdout(`installed certificate ${cert.serial} (agents ${result.certificate.agents.map(grantSpec).join(', ')}; expires ${result.certificate.notAfter}) in ${paths.trust}\n`)
    if (view == null) io.stdout('no daemon is running on this home; it will use the certificate when it starts (agentmesh daemon)\n')
    else if (taken && view.problem == null) io.stdout('the running daemon reloaded its trust folder and uses it now (no restart needed)\n')
    else io.stdout(`the running daemon reloaded its trust folder${view.problem != null ? `, but: ${view.problem.message} [${view.problem.code}]` : ''}\n`)
    return 0
  }
}

/** The part of `GET /v1/trust` these commands read. */
interface TrustViewPart {
  mode: 'closed' | 'open'
  certificate: (Omit<CertificateJson, 'subject'> & { summary: string }) | null
  problem: { code: string, message: string } | null
}

/** What `cert show` prints in `--json`. */
interface ShowResult {
  source: 'daemon' | 'home' | 'bundle'
  mode: 'closed' | 'open' | null
  certificate: (CertificateJson & { summary: string }) | null
  problem: { code: string, message: string } | null
  authority?: string
  hasPolicy?: boolean
  hasRevocations?: boolean
}

/** `agentmesh cert show`. */
export const certShowCommand: Command = {
  name: 'cert show',
  summary: "Show this host's certificate. It comes from the running daemon if there is one, else from the home's trust folder; --bundle describes a bundle without installing it.",
  options: { bundle: { type: 'string', valueName: 'FILE', description: 'describe this join bundle instead (nothing is installed)' } },
  json: true,
  details: 'Exits 1 when there is no certificate. "problem" says why a certificate cannot be used now\n(expired, revoked, issued for another peer, …).',
  async run ({ home, io, json, values }) {
    const r = typeof values.bundle === 'string' ? showBundle(resolve(values.bundle)) : await showInstalled(home)
    if (json) { io.stdout(JSON.stringify(r, null, 2) + '\n'); return r.certificate == null ? 1 : 0 }
    const c = r.certificate
    if (c == null) {
      const code = r.problem?.code ?? 'NO_CERTIFICATE'
      throw new TrustError(code, `${r.problem?.message ?? 'this host has no certificate yet'}${code === 'NO_CERTIFICATE' ? '; join a mesh with: agentmesh join FILE' : ''}`)
    }
    io.stdout(`certificate ${c.serial}${r.source === 'bundle' ? ' (in a bundle, not installed)' : ''}\n`)
    io.stdout(table([
      ['subject', c.subject],
      ['issuer', c.issuer],
      ['agents', c.agents.map(grantSpec).join(', ')],
      ['groups', c.groups.length === 0 ? '-' : c.groups.join(', ')],
      ['valid', `${c.notBefore} – ${c.notAfter}`],
      ['status', r.problem == null ? 'valid' : `${r.problem.message} [${r.problem.code}]`],
      ['source', r.source === 'daemon' ? `the running daemon (${r.mode ?? '?'} mesh)` : r.source === 'home' ? `${home} (no daemon running)` : `bundle ${String(values.bundle)}${r.hasPolicy === true ? ', with a signed policy' : ''}${r.hasRevocations === true ? ' and revocation list' : ''}`]
    ], '  '))
    return 0
  }
}

function showBundle (file: string): ShowResult {
  const b = readBundle(readInput(file, 'bundle'), createVerifier())
  const now = Date.now()
  const problem = now > b.cert.notAfterMs
    ? { code: 'EXPIRED', message: `expired at ${new Date(b.cert.notAfterMs).toISOString()}` }
    : now < b.cert.notBeforeMs ? { code: 'NOT_YET_VALID', message: `not valid before ${new Date(b.cert.notBeforeMs).toISOString()}` } : null
  return { source: 'bundle', mode: null, certificate: { ...certificateJson(b.cert), summary: describeCertificate(b.cert) }, problem, authority: b.authority, hasPolicy: b.hasPolicy, hasRevocations: b.hasRevocations }
}

async function showInstalled (home: string): Promise<ShowResult> {
  const paths = homePaths(home)
  const view = await callDaemonIfRunning(home, 'GET', '/v1/trust') as TrustViewPart | undefined
  if (view != null) {
    const subject = peerIdFromPrivateKey(loadIdentityKey(paths.identityKey)).toString()
    return { source: 'daemon', mode: view.mode, certificate: view.certificate == null ? null : { ...view.certificate, subject }, problem: view.problem }
  }
  const none = (code: string, message: string): ShowResult => ({ source: 'home', mode: null, certificate: null, problem: { code, message } })
  if (!existsSync(paths.identityKey)) return none('NO_HOME', `${home} is not a daemon home (create it with: agentmesh init --home ${home})`)
  const certFile = trustPaths(paths.trust).certificate
  if (!existsSync(certFile)) return none('NO_CERTIFICATE', `this host has no certificate yet (${certFile} does not exist)`)
  const localPeer = peerIdFromPrivateKey(loadIdentityKey(paths.identityKey)).toString()
  const verifier = createVerifier()
  // Open it ourselves first: the store skips a certificate that does not verify, and we want to say why.
  const cert = openCertificate(readInput(certFile, 'certificate'), verifier)
  const store = new TrustStore({ dir: paths.trust, localPeer, verifier, configuredAuthorities: configuredAuthorities(home), now: Date.now })
  store.load()
  const problem = store.ownProblem()
  return {
    source: 'home',
    mode: null,
    certificate: { ...certificateJson(cert), summary: describeCertificate(cert) },
    problem: problem == null ? null : { code: problem.code, message: problem.message }
  }
}

/** Authorities the home's config trusts, beside those of joined bundles; none if the config cannot be read. */
function configuredAuthorities (home: string): string[] {
  try {
    const file = readConfigFile(homePaths(home).config)
    return resolveConfig(file != null ? { file } : {}).trust.authorities
  } catch {
    return []
  }
}
