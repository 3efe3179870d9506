import { OPERATOR } from './constants.js'
import type { Principal } from './types.js'

/** Peer IDs are long; a reader tells them apart by the tail. */
export function shortPeer (peer: string): string {
  return peer.length > 12 ? `…${peer.slice(-6)}` : peer
}

/** A principal as a reason names it: `specialist search@…abc123`, or `operator`. */
export function who (p: Principal): string {
  const name = p.agent === OPERATOR && p.role === OPERATOR ? OPERATOR : `${p.role} ${p.agent}`
  return p.peer === '' ? name : `${name}@${shortPeer(p.peer)}`
}

/** `x`, or `one of x, y` for several. */
export function oneOf (values: readonly string[]): string {
  return values.length === 1 ? String(values[0]) : `one of ${values.join(', ')}`
}

/** A selector value as a list. */
export function asList (value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value
}
