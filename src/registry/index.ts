export { AGENT_CARD_PATH, AGENT_NAME, AgentRegistry, checkAgentName, hashToken, TOKEN_PREFIX } from './registry.js'
export type { AgentRegistryInit } from './registry.js'
export { RegistryError } from './errors.js'
