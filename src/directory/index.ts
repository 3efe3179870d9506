export { Directory, agentKey, FIND_GRACE_MS, FIND_MAX_PROVIDERS } from './directory.js'
export type { DirectoryInit } from './directory.js'
