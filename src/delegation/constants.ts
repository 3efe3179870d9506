/** Signature domain of a DelegationLink inside a Signed. */
export const DELEGATION_DOMAIN: Uint8Array = new TextEncoder().encode('agentmesh/delegation/v1\0')

/** The A2A message metadata key under which an agent receives (and passes on) its chain. */
export const METADATA_KEY = 'agentmesh.delegation'

/** A skill scope that allows every skill. */
export const ANY_SKILL = '*'

/** The A2A v1.0 JSON-RPC methods a root link allows. */
export const A2A_METHODS: readonly string[] = [
  'SendMessage', 'SendStreamingMessage', 'GetTask', 'ListTasks', 'CancelTask', 'SubscribeToTask',
  'CreateTaskPushNotificationConfig', 'GetTaskPushNotificationConfig', 'ListTaskPushNotificationConfigs', 'DeleteTaskPushNotificationConfig',
  'GetExtendedAgentCard'
]

/** How long a root link is valid unless configured otherwise. */
export const DEFAULT_CHAIN_TTL_MS = 10 * 60_000

/** The most links a chain may have unless configured otherwise. */
export const DEFAULT_MAX_DEPTH = 5

/** Largest encoded chain accepted. */
export const MAX_CHAIN_BYTES = 64 * 1024

/** Accepted clock difference for a link's issue time. */
export const ISSUE_SKEW_MS = 30_000
