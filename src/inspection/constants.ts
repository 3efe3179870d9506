/** Most parts in one message (or artifact) unless configured otherwise. */
export const DEFAULT_MAX_PARTS = 64

/** Largest text part, in UTF-8 bytes, unless configured otherwise. */
export const DEFAULT_MAX_PART_BYTES = 256 * 1024

/** How long the guard may take to answer unless configured otherwise. */
export const DEFAULT_GUARD_TIMEOUT_MS = 2_000

/** Largest guard answer read; a verdict is a few bytes. */
export const MAX_GUARD_ANSWER_BYTES = 64 * 1024

/** Longest guard reason passed on in a veto message. */
export const MAX_GUARD_REASON_CHARS = 500

/** Schema problems named in a veto's `detail`. */
export const MAX_SCHEMA_ISSUES = 5

/** The methods whose request carries a message (content rules and skills apply). */
export const MESSAGE_METHODS: ReadonlySet<string> = new Set(['SendMessage', 'SendStreamingMessage'])

/** Stable veto codes (see {@link Veto}). */
export const VETO_CODES = [
  'SCHEMA_INVALID', 'CONTENT_DENIED', 'TOO_MANY_PARTS', 'PART_TOO_LARGE', 'SKILL_NOT_ALLOWED', 'GUARD_VETO', 'GUARD_UNAVAILABLE'
] as const
