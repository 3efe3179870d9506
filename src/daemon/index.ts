export { Daemon } from './daemon.js'
export type { DaemonInit, ReadyInfo } from './daemon.js'
export { NodeMeshControl, parsePeerId } from './mesh-control.js'
export { loadOrCreateApiToken } from './api-token.js'
