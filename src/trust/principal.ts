import type { Principal } from '../policy/index.js'
import { grantFor, type Certificate } from './certificate.js'
import { OPERATOR } from './constants.js'

/**
 * The principal `agent` on `peer` is, according to the peer's certificate:
 * its role and parent from the certificate's grant, the certificate's groups.
 * The operator (agent name `operator`) is every certified host's own. Returns
 * undefined when the certificate does not cover the agent.
 */
export function principalOf (cert: Certificate, agent: string): Principal | undefined {
  if (agent === OPERATOR) return { agent, peer: cert.subject, role: OPERATOR, parent: null, groups: [...cert.groups] }
  const grant = grantFor(cert, agent)
  if (grant == null) return undefined
  return { agent, peer: cert.subject, role: grant.role, parent: grant.parent === '' ? null : grant.parent, groups: [...cert.groups] }
}
