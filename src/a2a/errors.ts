import { AgentmeshError } from '../errors.js'

/** JSON-RPC error codes agentmesh answers with (A2A v1.0 and JSON-RPC 2.0). */
export const JSONRPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  INTERNAL: -32603,
  /** Not an A2A code: the mesh could not deliver (data.reason says why). */
  MESH_ERROR: -32050
} as const

/** An agent name could not be resolved to a host. */
export class ResolveError extends AgentmeshError {}
