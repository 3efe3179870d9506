export { Directory, agentKey } from './directory.js'
export type { DirectoryInit } from './directory.js'
