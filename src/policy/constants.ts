/** The `rule` of a {@link Decision} that no rule made: nothing allowed the call. */
export const DEFAULT_DENY_RULE = 'default-deny'

/** The agent name and the role of a host's operator (a caller with no agent of its own). */
export const OPERATOR = 'operator'

/** The A2A method an embedded test calls when it names none. */
export const DEFAULT_TEST_METHOD = 'SendMessage'

/** What a rule id looks like: lower case, so ids read the same in logs, metrics and audit. */
export const RULE_ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/

/** The keys of a selector, in the order decisions explain them (independent of the document's order). */
export const SELECTOR_KEYS = ['agent', 'role', 'group', 'peer', 'parent'] as const

/** References a `to` selector may use, by key: the caller's agent name, the caller's parent. */
export const TO_REFERENCES = { parent: '$from', agent: '$from.parent' } as const

/** References a `from` selector may use, by key: the callee's agent name, the callee's parent. */
export const FROM_REFERENCES = { parent: '$to', agent: '$to.parent' } as const

/** Every reference a policy may contain, for messages. */
export const REFERENCES = ['$from', '$to', '$from.parent', '$to.parent'] as const
