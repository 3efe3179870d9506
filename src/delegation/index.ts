/**
 * Delegation chains: on whose behalf a task is done, link by link, each link
 * signed by a certified daemon, scope only narrowing. See
 * docs/relay-protocol.md "Delegation".
 */
export * from './constants.js'
export { DelegationError } from './errors.js'
export { address, describeChain, extendChain, openChain, summarizeChain, verifyChain } from './chain.js'
export type { ChainContext, LinkScope, VerifiedChain, VerifiedLink } from './chain.js'
export { chainFromToken, chainToken, tokenOf, withToken } from './token.js'
export { Delegations, originOf } from './delegations.js'
export type { DelegationsInit, OutgoingChain } from './delegations.js'
