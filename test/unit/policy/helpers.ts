import { parsePrincipalSpec } from '../../../src/policy/index.js'
import type { PolicyRequest, Principal } from '../../../src/policy/index.js'

/** A principal from the compact form, with optional groups and peer. */
export function p (spec: string, extra: { groups?: string[], peer?: string } = {}): Principal {
  return parsePrincipalSpec(spec, extra)
}

/** A request between two compact principals (method SendMessage unless given). */
export function call (from: string | Principal, to: string | Principal, method = 'SendMessage', skill?: string): PolicyRequest {
  const request: PolicyRequest = {
    from: typeof from === 'string' ? p(from) : from,
    to: typeof to === 'string' ? p(to) : to,
    method
  }
  if (skill !== undefined) request.skill = skill
  return request
}

/** What `fn` threw (fails the test if it did not throw). */
export function thrown (fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected an error, none was thrown')
}
