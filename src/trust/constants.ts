const ascii = new TextEncoder()

/** The libp2p protocol id of the hello exchange. */
export const HELLO_PROTOCOL = '/agentmesh/hello/1.0.0'

/** Signature domain of a Certificate inside a Signed. */
export const CERTIFICATE_DOMAIN: Uint8Array = ascii.encode('agentmesh/certificate/v1\0')

/** Signature domain of a PolicyRelease inside a Signed. */
export const POLICY_DOMAIN: Uint8Array = ascii.encode('agentmesh/policy/v1\0')

/** Signature domain of a RevocationList inside a Signed. */
export const REVOCATIONS_DOMAIN: Uint8Array = ascii.encode('agentmesh/revocations/v1\0')

/** Largest hello message (certificate, policies and revocation lists together). */
export const MAX_HELLO_BYTES = 256 * 1024

/** Largest signed document (certificate, policy, revocation list) accepted. */
export const MAX_DOCUMENT_BYTES = 128 * 1024

/** How long a hello may take, from the connection opening to the verified answer. */
export const HELLO_TIMEOUT_MS = 10_000

/** How long a refused peer is kept off (no dial, no inbound connection) before it may try again. */
export const REFUSED_BACKOFF_MS = 30_000

/**
 * A shorter wait for refusals a host fixes by joining the mesh (no
 * certificate yet, or refused by the peer for lacking one), so that a host
 * that has just run `agentmesh join` is admitted within seconds.
 */
export const JOIN_BACKOFF_MS = 5_000

/** How often certificates of connected peers are checked for expiry. */
export const EXPIRY_SWEEP_MS = 5_000

/** The agent name and role of a host's operator (a caller with no agent token). */
export const OPERATOR = 'operator'

/** Default validity of an issued certificate. */
export const DEFAULT_VALIDITY_MS = 30 * 24 * 3600_000
