/** agentmesh's version, reported by `status` and `--version`. */
export const VERSION = '0.1.0'
