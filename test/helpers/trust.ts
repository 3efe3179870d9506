import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createVerifier } from '../../src/envelope/index.js'
import { homePaths, initHome } from '../../src/home/index.js'
import { initAuthority, installBundle, issueBundle, type Authority } from '../../src/trust/index.js'
import { startDaemon, tempHome, type StartOptions, type TestDaemon } from './daemon.js'

/** A test authority in a temporary folder. */
export interface TestAuthority {
  authority: Authority
  dir: string
  /** Issues a bundle for `peer` (agents as `NAME:ROLE[:PARENT]`). */
  issue(peer: string, agents: string[], options?: { groups?: string[], validForMs?: number, now?: number }): Uint8Array
  remove(): void
}

/** Creates an authority (with the example hierarchy policy as its release 1). */
export async function createTestAuthority (): Promise<TestAuthority> {
  const dir = join(mkdtempSync(join(tmpdir(), 'am-auth-')), 'authority')
  const { authority } = await initAuthority(dir, Date.now())
  return {
    authority,
    dir,
    issue: (peer, agents, options = {}) => issueBundle(authority, { peer, agents, ...(options.groups != null ? { groups: options.groups } : {}), ...(options.validForMs != null ? { validForMs: options.validForMs } : {}), now: options.now ?? Date.now() }).bundle,
    remove: () => { rmSync(join(dir, '..'), { recursive: true, force: true }) }
  }
}

/** A fresh home joined to `authority`'s mesh with a certificate for `agents`, and its peer ID. */
export async function certifiedHome (authority: TestAuthority, agents: string[], options: { groups?: string[] } = {}): Promise<{ home: string, peerId: string }> {
  const home = tempHome()
  const { peerId } = await initHome(home)
  installBundle(homePaths(home).trust, authority.issue(peerId, agents, options), peerId, createVerifier(), Date.now())
  return { home, peerId }
}

/** Starts a closed-mesh daemon on a fresh home certified by `authority` for `agents`. */
export async function startCertifiedDaemon (authority: TestAuthority, agents: string[], options: StartOptions & { groups?: string[] } = {}): Promise<TestDaemon> {
  const { home } = await certifiedHome(authority, agents, options.groups != null ? { groups: options.groups } : {})
  return startDaemon({ ...options, home, closed: true })
}
