/**
 * A commented example hierarchy policy (YAML) for a new authority: an
 * orchestrator may call its own specialists; a specialist may report back to
 * its own orchestrator but not call its siblings or another orchestrator's
 * specialists; group `finance` may never reach group `public`; the host
 * operator may call any orchestrator. Its embedded tests prove each.
 */
export const examplePolicyYaml = `# agentmesh hierarchy policy.
#
# A call is denied unless an allow rule matches it. A matching deny rule wins
# over every allow rule, wherever it stands in the list. Selectors: agent,
# role, group, peer, parent; in a "to" selector, $from is the caller's agent
# and $from.parent the agent the caller reports to ($to, $to.parent in "from").
# Add "methods: [...]" or "skills: [...]" to a rule to narrow it further.

rules:
  # Orchestrators delegate work to the specialists that report to them, and
  # only to those: another orchestrator's specialists have another parent.
  - id: orchestrator-calls-own-specialists
    effect: allow
    description: An orchestrator may call the specialists whose parent it is.
    from: { role: orchestrator }
    to: { role: specialist, parent: $from }

  # A specialist reports back to its own orchestrator. No rule lets it call
  # a sibling, another orchestrator or that orchestrator's specialists, so
  # those calls are denied by default.
  - id: specialist-reports-to-parent
    effect: allow
    description: A specialist may call the orchestrator it reports to.
    from: { role: specialist }
    to: { role: orchestrator, agent: $from.parent }

  # Finance data never reaches the public side, whatever the hierarchy says.
  - id: finance-never-public
    effect: deny
    description: Nothing in group finance may call anything in group public.
    from: { group: finance }
    to: { group: public }

  # The host's operator (the CLI and local API without an agent token) may
  # start work at any orchestrator, but not talk to specialists directly.
  - id: operator-calls-orchestrators
    effect: allow
    description: The host operator may call any orchestrator.
    from: { agent: operator, role: operator }
    to: { role: orchestrator }

# Embedded tests: the policy is refused if any fails. A principal is
# NAME:ROLE[:PARENT], "operator", or { agent, role, parent, groups, peer }.
tests:
  # An orchestrator may call its own specialists, with any method.
  - expect: allow
    from: planner:orchestrator
    to: search:specialist:planner
    rule: orchestrator-calls-own-specialists
  - expect: allow
    from: planner:orchestrator
    to: writer:specialist:planner
    method: GetTask
    rule: orchestrator-calls-own-specialists

  # ... but not another orchestrator's specialists, nor another orchestrator.
  - expect: deny
    from: planner:orchestrator
    to: ledger:specialist:accountant
    rule: default-deny
  - expect: deny
    from: planner:orchestrator
    to: accountant:orchestrator
    rule: default-deny

  # A parent that names a peer only matches the orchestrator on that peer:
  # a namesake on another host is not the specialist's orchestrator.
  - expect: allow
    from: { agent: planner, role: orchestrator, peer: peer-a }
    to: { agent: search, role: specialist, parent: planner@peer-a, peer: peer-b }
    rule: orchestrator-calls-own-specialists
  - expect: deny
    from: { agent: planner, role: orchestrator, peer: peer-c }
    to: { agent: search, role: specialist, parent: planner@peer-a, peer: peer-b }
    rule: default-deny

  # A specialist may report back to its own orchestrator...
  - expect: allow
    from: search:specialist:planner
    to: planner:orchestrator
    rule: specialist-reports-to-parent
  # ... but may not call its siblings,
  - expect: deny
    from: search:specialist:planner
    to: writer:specialist:planner
    rule: default-deny
  # another orchestrator's specialists,
  - expect: deny
    from: search:specialist:planner
    to: ledger:specialist:accountant
    rule: default-deny
  # or another orchestrator.
  - expect: deny
    from: search:specialist:planner
    to: accountant:orchestrator
    rule: default-deny

  # Finance never reaches public: the deny wins even over an orchestrator
  # calling its own specialist, and over a specialist reporting back.
  - expect: deny
    from: accountant:orchestrator
    fromGroups: [finance]
    to: ledger:specialist:accountant
    toGroups: [public]
    rule: finance-never-public
  - expect: deny
    from: ledger:specialist:accountant
    fromGroups: [finance]
    to: accountant:orchestrator
    toGroups: [public]
    rule: finance-never-public
  # The same call within finance is allowed.
  - expect: allow
    from: accountant:orchestrator
    fromGroups: [finance]
    to: ledger:specialist:accountant
    toGroups: [finance]
    rule: orchestrator-calls-own-specialists

  # The host operator may call any orchestrator, but not a specialist.
  - expect: allow
    from: operator
    to: planner:orchestrator
    rule: operator-calls-orchestrators
  - expect: allow
    from: operator
    to: accountant:orchestrator
    method: CancelTask
    rule: operator-calls-orchestrators
  - expect: deny
    from: operator
    to: search:specialist:planner
    rule: default-deny
`
