export { ADDRESS_CHANGE_DEBOUNCE_MS, Directory, agentKey, FIND_GRACE_MS, FIND_MAX_PROVIDERS, FIRST_ROUND_MAX_WAIT_MS, REFRESH_MS, SELF_QUERY_EVENT, SETTLE_MS, WELL_CONNECTED } from './directory.js'
export type { DirectoryInit } from './directory.js'
