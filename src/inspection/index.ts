/**
 * Pre-execution inspection: before a receiving daemon hands a task to its
 * agent, and before a sending daemon hands a reply to its caller, the content
 * is checked — the JSON-RPC 2.0 and A2A v1.0 wire shapes (zod, as
 * @a2a-js/sdk really sends them), then content rules (deny patterns over
 * text, part count and size, allowed skills per callee role), then an
 * optional external guard (a local HTTP hook). Each refusal is a {@link Veto}
 * with a stable code.
 *
 * @example
 * ```ts
 * const inspector = new Inspector({ config: { ...defaultInspectionConfig(), denyPatterns: ['ignore (all )?previous instructions'] }, log })
 * const veto = await inspector.inspect({
 *   direction: 'request', method: 'SendMessage', payload,
 *   from: { agent: 'planner', peer: remotePeer, role: 'orchestrator' },
 *   to: { agent: 'search', peer: localPeer, role: 'specialist' }
 * }, signal)
 * if (veto !== undefined) refuse(veto.code, veto.message)
 * ```
 */
export * from './constants.js'
export { defaultInspectionConfig, inspectionConfigSchema } from './config.js'
export type { GuardConfig, InspectionConfig } from './config.js'
export { InspectionConfigError, InspectionVetoError } from './errors.js'
export { Inspector } from './inspector.js'
export type { InspectorInit } from './inspector.js'
export type { InspectedParty, InspectionSubject, Veto, VetoCode } from './types.js'
