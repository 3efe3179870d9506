import { createHash } from 'node:crypto'
import { Certificate as CertificatePb, DelegationChain, DelegationLink, Signed } from '../pb/agentmesh.js'
import type { Signer, Verifier } from '../envelope/index.js'
import { checkSignature, decodeSigned, signBody } from '../envelope/signed.js'
import { openCertificate, principalOf, type Certificate } from '../trust/index.js'
import type { Principal } from '../policy/index.js'
import { A2A_METHODS, ANY_SKILL, DELEGATION_DOMAIN, ISSUE_SKEW_MS, MAX_CHAIN_BYTES } from './constants.js'
import { DelegationError } from './errors.js'

/** One link of a verified chain, with what it proved. */
export interface VerifiedLink {
  link: DelegationLink
  /** The signing daemon's certificate. */
  cert: Certificate
  /** The principal the link speaks for, as that certificate describes it. */
  principal: Principal
  /** The link's Signed bytes. */
  bytes: Uint8Array
}

/** A chain that verified: its links root first. */
export interface VerifiedChain {
  links: VerifiedLink[]
  /** The principal on whose behalf the whole chain acts: the root link's. */
  origin: Principal
  /** The encoded chain as received. */
  bytes: Uint8Array
}

/** What {@link verifyChain} checks a chain against. */
export interface ChainContext {
  verifier: Verifier
  /**
   * Opens a certificate (checks the authority's signature). Default
   * `openCertificate`; a daemon passes a cached one, since the same few
   * certificates come with every task.
   */
  openCertificate?: (bytes: Uint8Array) => Certificate
  /** Judges a link's certificate now (trusted issuer, validity, revocation); throws if it fails. */
  checkCertificate: (cert: Certificate) => void
  now: number
  /** Who must have made the last link: the envelope's sender (unchecked when absent: a chain an agent passes on). */
  sender?: { peer: string, agent: string }
  /** Who the last link must delegate to: the envelope's recipient. */
  audience: { peer: string, agent: string }
  /** The A2A method of the call, which the last link must allow. */
  method: string
  /** The skill the call names, if any. */
  skill?: string
}

/** What a new link allows and until when. */
export interface LinkScope {
  methods?: readonly string[]
  skills?: readonly string[]
  expiresMs: number
  maxDepth: number
}

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest())

/** `name@peer`. */
export function address (agent: string, peer: string): string {
  return `${agent}@${peer}`
}

/**
 * Opens a new chain for a caller on this daemon: the root link, signed with
 * this daemon's key, carrying its certificate.
 */
export function openChain (signer: Signer, certificate: Uint8Array, caller: string, audience: string, scope: LinkScope, task: Uint8Array, now: number): Uint8Array {
  const root = signLink(signer, {
    certificate, agent: caller, audience,
    methods: [...(scope.methods ?? A2A_METHODS)], skills: [...(scope.skills ?? [ANY_SKILL])],
    expiresMs: scope.expiresMs, maxDepth: scope.maxDepth, prev: new Uint8Array(0), issuedMs: now, task
  })
  return DelegationChain.encode({ links: [root as Uint8Array<ArrayBuffer>] })
}

/**
 * Appends a link to a chain this daemon's caller received (and that verified
 * with the caller as its audience): the caller delegates to `audience`. The
 * scope can only narrow: methods and skills are intersected with the last
 * link's, the expiry and depth can only come down.
 *
 * @throws {DelegationError} `depth` when the chain is already as long as it may be
 */
export function extendChain (chain: VerifiedChain, signer: Signer, certificate: Uint8Array, caller: string, audience: string, scope: Partial<LinkScope>, task: Uint8Array, now: number): Uint8Array {
  const last = chain.links[chain.links.length - 1]!.link
  const depth = Math.min(...chain.links.map((l) => l.link.maxDepth))
  if (chain.links.length >= depth) throw new DelegationError(chain.links.length, 'depth', `the chain already has ${chain.links.length} links, the most it may have`)
  const link = signLink(signer, {
    certificate, agent: caller, audience,
    methods: scope.methods != null ? last.methods.filter((m) => scope.methods!.includes(m)) : [...last.methods],
    skills: narrowSkills(last.skills, scope.skills),
    expiresMs: Math.min(last.expiresMs, scope.expiresMs ?? last.expiresMs),
    maxDepth: Math.min(last.maxDepth, scope.maxDepth ?? last.maxDepth),
    prev: sha256(chain.links[chain.links.length - 1]!.bytes),
    issuedMs: now,
    task
  })
  return DelegationChain.encode({ links: [...chain.links.map((l) => l.bytes as Uint8Array<ArrayBuffer>), link as Uint8Array<ArrayBuffer>] })
}

function narrowSkills (prev: string[], wanted: readonly string[] | undefined): string[] {
  if (wanted == null) return [...prev]
  if (prev.includes(ANY_SKILL)) return [...wanted]
  return prev.filter((s) => wanted.includes(s) || wanted.includes(ANY_SKILL))
}

/** A link's fields; the byte fields take any Uint8Array (the generated type wants ArrayBuffer-backed ones). */
type LinkFields = Omit<DelegationLink, 'certificate' | 'prev' | 'task'> & { certificate: Uint8Array, prev: Uint8Array, task: Uint8Array }

function signLink (signer: Signer, link: LinkFields): Uint8Array {
  return signBody(DELEGATION_DOMAIN, DelegationLink.encode(link as DelegationLink), signer)
}

/**
 * Verifies every link of a chain: each signed by the daemon its certificate
 * names, the certificate valid now and covering the principal the link
 * speaks for; the links in order (each names the hash of the one before,
 * and each principal is the previous link's audience); scope only narrowing,
 * expiry never extending, depth never raised and not exceeded; nothing
 * expired; the last link made by the envelope's sender for its recipient,
 * allowing the call's method and skill.
 *
 * @throws {DelegationError} naming the first failing link
 */
export function verifyChain (bytes: Uint8Array, ctx: ChainContext): VerifiedChain {
  if (bytes.byteLength === 0) throw new DelegationError(-1, 'missing', 'the task carries no delegation chain')
  if (bytes.byteLength > MAX_CHAIN_BYTES) throw new DelegationError(-1, 'malformed', `the chain has ${bytes.byteLength} bytes, more than ${MAX_CHAIN_BYTES}`)
  let encoded: Uint8Array[]
  try { encoded = DelegationChain.decode(bytes).links } catch (err) {
    throw new DelegationError(-1, 'malformed', 'the chain does not decode', { cause: err })
  }
  if (encoded.length === 0) throw new DelegationError(-1, 'missing', 'the chain has no links')
  const links: VerifiedLink[] = []
  for (const [i, b] of encoded.entries()) {
    const v = openLink(i, b, ctx)
    const prev = links[i - 1]
    if (prev == null) {
      if (v.link.prev.byteLength !== 0) throw new DelegationError(i, 'order', 'the root link names a previous link')
    } else {
      if (!Buffer.from(v.link.prev).equals(sha256(prev.bytes))) throw new DelegationError(i, 'order', 'it does not follow the link before it (links reordered, removed or spliced)')
      const speaker = address(v.link.agent, v.cert.subject)
      if (speaker !== prev.link.audience) throw new DelegationError(i, 'order', `it speaks for ${speaker}, but the link before delegated to ${prev.link.audience}`)
      const wider = v.link.methods.find((m) => !prev.link.methods.includes(m))
      if (wider !== undefined) throw new DelegationError(i, 'widened', `it allows method ${wider}, which the link before does not`)
      if (!prev.link.skills.includes(ANY_SKILL)) {
        const extra = v.link.skills.find((s) => !prev.link.skills.includes(s))
        if (extra !== undefined) throw new DelegationError(i, 'widened', `it allows skill ${extra}, which the link before does not`)
      }
      if (v.link.expiresMs > prev.link.expiresMs) throw new DelegationError(i, 'extended', `it expires at ${new Date(v.link.expiresMs).toISOString()}, after the link before (${new Date(prev.link.expiresMs).toISOString()})`)
      if (v.link.maxDepth > prev.link.maxDepth) throw new DelegationError(i, 'widened', `it raises the depth limit from ${prev.link.maxDepth} to ${v.link.maxDepth}`)
    }
    if (v.link.expiresMs <= ctx.now) throw new DelegationError(i, 'expired', `it expired at ${new Date(v.link.expiresMs).toISOString()}`)
    if (v.link.issuedMs > ctx.now + ISSUE_SKEW_MS) throw new DelegationError(i, 'malformed', 'it was issued in the future')
    if (i + 1 > v.link.maxDepth) throw new DelegationError(i, 'depth', `the chain is longer than ${v.link.maxDepth} links`)
    links.push(v)
  }
  const last = links[links.length - 1]!
  const lastIndex = links.length - 1
  if (ctx.sender != null && (last.cert.subject !== ctx.sender.peer || last.link.agent !== ctx.sender.agent)) {
    throw new DelegationError(lastIndex, 'sender', `the last link speaks for ${address(last.link.agent, last.cert.subject)}, but the task comes from ${address(ctx.sender.agent, ctx.sender.peer)}`)
  }
  if (last.link.audience !== address(ctx.audience.agent, ctx.audience.peer)) {
    throw new DelegationError(lastIndex, 'audience', `the last link delegates to ${last.link.audience}, not to ${address(ctx.audience.agent, ctx.audience.peer)}`)
  }
  if (!last.link.methods.includes(ctx.method)) throw new DelegationError(lastIndex, 'method', `the chain does not allow method ${ctx.method}`)
  if (!last.link.skills.includes(ANY_SKILL) && (ctx.skill === undefined || !last.link.skills.includes(ctx.skill))) {
    throw new DelegationError(lastIndex, 'skill', `the chain allows only skills [${last.link.skills.join(', ')}]; the task names ${ctx.skill ?? 'none'}`)
  }
  return { links, origin: links[0]!.principal, bytes }
}

function openLink (i: number, bytes: Uint8Array, ctx: ChainContext): VerifiedLink {
  let link: DelegationLink
  let signed
  try {
    signed = decodeSigned(bytes, MAX_CHAIN_BYTES, 'delegation link')
    link = DelegationLink.decode(signed.body)
  } catch (err) {
    throw new DelegationError(i, 'malformed', 'it does not decode', { cause: err })
  }
  let cert: Certificate
  try {
    cert = ctx.openCertificate != null ? ctx.openCertificate(link.certificate) : openCertificate(link.certificate, ctx.verifier)
    ctx.checkCertificate(cert)
  } catch (err) {
    throw new DelegationError(i, 'certificate', `its signer's certificate is refused: ${(err as Error).message}`, { cause: err })
  }
  try {
    checkSignature(DELEGATION_DOMAIN, signed, cert.subject, ctx.verifier, 'delegation link')
  } catch (err) {
    throw new DelegationError(i, 'signature', `it is not signed by ${cert.subject}, the peer its certificate names`, { cause: err })
  }
  const principal = principalOf(cert, link.agent)
  if (principal == null) throw new DelegationError(i, 'not_certified', `its signer ${cert.subject} is not certified for agent "${link.agent}"`)
  return { link, cert, principal, bytes }
}

/** A chain as JSON, for audit records, the guard and the API: one object per link. */
export function describeChain (chain: VerifiedChain): Array<Record<string, unknown>> {
  return chain.links.map(({ link, cert }) => ({
    signer: cert.subject,
    agent: link.agent,
    role: principalOf(cert, link.agent)?.role ?? null,
    audience: link.audience,
    methods: link.methods,
    skills: link.skills,
    expires: new Date(link.expiresMs).toISOString(),
    maxDepth: link.maxDepth,
    certificate: cert.serial
  }))
}

/**
 * A chain this daemon made itself, as JSON for its audit record (decoded, not
 * verified again): one object per link, as {@link describeChain} gives them.
 */
export function summarizeChain (bytes: Uint8Array): Array<Record<string, unknown>> {
  if (bytes.byteLength === 0) return []
  try {
    return DelegationChain.decode(bytes).links.map((b) => {
      const link = DelegationLink.decode(decodeSigned(b, MAX_CHAIN_BYTES, 'delegation link').body)
      const cert = CertificatePb.decode(Signed.decode(link.certificate).body)
      return { signer: cert.subject, agent: link.agent, audience: link.audience, methods: link.methods, skills: link.skills, expires: new Date(link.expiresMs).toISOString(), maxDepth: link.maxDepth, certificate: cert.serial }
    })
  } catch {
    return []
  }
}
