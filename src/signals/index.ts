export { AbortGroup, linkedSignal } from './linked-signal.js'
export type { LinkedSignal } from './linked-signal.js'
