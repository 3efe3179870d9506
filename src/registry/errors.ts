import { AgentmeshError } from '../errors.js'

/** Codes: INVALID_AGENT_NAME, INVALID_AGENT_URL, AGENT_UNREACHABLE, INVALID_AGENT_CARD, AGENT_NOT_FOUND. */
export class RegistryError extends AgentmeshError {}
