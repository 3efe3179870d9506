export { Directory, agentKey, FIND_GRACE_MS, FIND_MAX_PROVIDERS, REFRESH_MS, SETTLE_MS, WELL_CONNECTED } from './directory.js'
export type { DirectoryInit } from './directory.js'
