import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { createSigner, type Signer } from '../src/envelope/index.js'
import { JoinBundle } from '../src/pb/agentmesh.js'
import { canonicalPolicyJson, parsePolicy, type Policy } from '../src/policy/index.js'
import { signCertificate, signPolicyRelease, signRevocationList } from '../src/trust/index.js'
import type { Rng } from './rng.js'

/**
 * The mesh's authority, in memory: the same certificates, policy release and
 * join bundles as `agentmesh authority` / `cert issue`, signed by the same
 * functions, without the authority folder (whose state file would be
 * rewritten once per host).
 */
export class SimAuthority {
  readonly signer: Signer
  readonly id: string
  policy!: Policy
  private policyBytes: Uint8Array = new Uint8Array(0)
  private readonly revocations: Uint8Array
  private serial = 1
  private readonly certificates = new Map<number, Uint8Array>()

  private constructor (key: PrivateKey, now: number) {
    this.signer = createSigner(key)
    this.id = this.signer.peerId
    this.revocations = signRevocationList({ issuer: this.id, version: 1, issuedMs: now, serials: [] }, this.signer)
  }

  static async create (rng: Rng, now: number): Promise<SimAuthority> {
    return new SimAuthority(await generateKeyPairFromSeed('Ed25519', rng.bytes(32)), now)
  }

  /** Signs `text` (JSON) as the policy release every bundle carries from now on. */
  publish (text: string, now: number, version = 1): void {
    this.policy = parsePolicy(text, 'json')
    this.policyBytes = signPolicyRelease({ issuer: this.id, version, issuedMs: now, document: canonicalPolicyJson(this.policy) }, this.signer)
  }

  /** The certificate issued for node `index` (certificates are public: hellos carry them). */
  certificateOf (index: number): Uint8Array | undefined {
    return this.certificates.get(index)
  }

  /** A join bundle for `peer`, certified for `agents` (`{name, role, parent}`). */
  issue (peer: string, agents: Array<{ name: string, role: string, parent: string | null }>, now: number, index?: number): { bundle: Uint8Array, certificate: Uint8Array } {
    const certificate = signCertificate({
      serial: this.serial++,
      issuer: this.id,
      subject: peer,
      agents: agents.map((a) => ({ name: a.name, role: a.role, parent: a.parent ?? '' })) as any,
      groups: [],
      notBeforeMs: now - 3_600_000,
      notAfterMs: now + 7 * 86_400_000,
      issuedMs: now
    }, this.signer)
    if (index !== undefined) this.certificates.set(index, certificate)
    const bundle = JoinBundle.encode({
      certificate: certificate as Uint8Array<ArrayBuffer>,
      authority: this.id,
      policy: this.policyBytes as Uint8Array<ArrayBuffer>,
      revocations: this.revocations as Uint8Array<ArrayBuffer>
    })
    return { bundle, certificate }
  }
}
