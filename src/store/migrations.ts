/**
 * One step of the schema. Migrations are append-only: never edit or reorder
 * one that has shipped; add a new one with the next version number.
 */
export interface Migration {
  /** 1 for the first migration, then consecutive. */
  readonly version: number
  /** What the step does, recorded in `schema_version`. */
  readonly name: string
  /** SQL run in one transaction together with the version bump. */
  readonly up: string
}

/**
 * The schema of the daemon's database, in order. Later capabilities (outbox,
 * inbox, audit, registry) append their tables here.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'replay window and send sequences',
    up: `
      -- Nonces accepted from each sender, kept until their envelope's timestamp
      -- is far enough in the past that the clock-skew check rejects it anyway.
      CREATE TABLE replay_nonces (
        sender TEXT NOT NULL,
        nonce BLOB NOT NULL,
        timestamp_ms INTEGER NOT NULL,
        PRIMARY KEY (sender, nonce)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX replay_nonces_by_time ON replay_nonces (timestamp_ms);

      -- Sliding sequence window per (sender peer, recipient peer): the highest
      -- accepted seq and a bitmap where bit i marks seq (highest - i) as seen.
      CREATE TABLE replay_sequences (
        sender TEXT NOT NULL,
        recipient TEXT NOT NULL,
        highest INTEGER NOT NULL,
        bitmap BLOB NOT NULL,
        PRIMARY KEY (sender, recipient)
      ) STRICT, WITHOUT ROWID;

      -- Sending side: the highest sequence number reserved per recipient peer.
      -- Numbers are handed out from memory and reserved here in blocks, so a
      -- restart skips the rest of a block rather than reusing a number.
      CREATE TABLE send_sequences (
        recipient TEXT PRIMARY KEY,
        reserved INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `
    },
  {
    version: 2,
    name: 'agent registry, outbox and inbox',
    up: `
      -- Local A2A agents registered with this daemon.
      CREATE TABLE agents (
        name TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        rpc_url TEXT NOT NULL,
        role TEXT,
        card TEXT NOT NULL,
        added_ms INTEGER NOT NULL
      ) STRICT;

      -- Tasks this daemon accepted from a local caller for a remote agent.
      -- state: pending (stored, not yet answered), done (result stored),
      -- failed (error stored).
      CREATE TABLE outbox (
        id BLOB PRIMARY KEY,
        to_peer TEXT NOT NULL,
        to_agent TEXT NOT NULL,
        from_agent TEXT NOT NULL,
        method TEXT NOT NULL,
        payload BLOB NOT NULL,
        deadline_ms INTEGER NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        result BLOB,
        error TEXT,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX outbox_open ON outbox (state) WHERE state = 'pending';

      -- Tasks received from remote daemons, by envelope id: the de-duplication
      -- that makes retries harmless. state: received (stored, not yet handed
      -- to the agent), delivering (the agent's HTTP call is under way), done,
      -- failed. Only a crash during 'delivering' leaves it unknown whether
      -- the agent saw the task; such tasks are reported failed, never re-sent.
      CREATE TABLE inbox (
        id BLOB NOT NULL,
        sender TEXT NOT NULL,
        to_agent TEXT NOT NULL,
        method TEXT NOT NULL,
        payload BLOB NOT NULL,
        state TEXT NOT NULL,
        frames TEXT,
        error TEXT,
        received_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        -- Keyed by sender too: another peer reusing a task id gets a task of
        -- its own, never the first sender's stored answer.
        PRIMARY KEY (sender, id)
      ) STRICT;

      -- Peers this daemon has met and their listen addresses, redialled at start
      -- so a restarted daemon rejoins the mesh without a bootstrap address.
      CREATE TABLE known_peers (
        peer TEXT PRIMARY KEY,
        addrs TEXT NOT NULL,
        last_seen_ms INTEGER NOT NULL
      ) STRICT;
    `
  },
  {
    version: 3,
    name: 'agent parent and caller token',
    up: `
      -- The agent it reports to (from this host's certificate), and the
      -- SHA-256 of the API token that lets a local caller act as this agent
      -- (the token itself is shown once, never stored).
      ALTER TABLE agents ADD COLUMN parent TEXT;
      ALTER TABLE agents ADD COLUMN token_hash TEXT;
      CREATE UNIQUE INDEX agents_by_token ON agents (token_hash) WHERE token_hash IS NOT NULL;
    `
  },
  {
    version: 4,
    name: 'delegation chain of outgoing tasks',
    up: `
      -- The encoded delegation chain sealed into every transmission of the
      -- task (empty in open mode), so a retry after a restart carries it too.
      ALTER TABLE outbox ADD COLUMN delegation BLOB NOT NULL DEFAULT x'';
    `
  },
  {
    version: 5,
    name: 'audit log',
    up: `
      -- Every decision of the daemon, append-only and hash-chained (src/audit):
      -- hash = SHA-256(prev_hash || canonical JSON of the content, seq and
      -- time_ms included). seq is consecutive from 1; pruning removes a prefix.
      CREATE TABLE audit_records (
        seq INTEGER PRIMARY KEY,
        time_ms INTEGER NOT NULL,
        decision TEXT NOT NULL,
        reason TEXT,
        rule TEXT,
        from_agent TEXT,
        from_peer TEXT,
        to_agent TEXT,
        to_peer TEXT,
        envelope_hash TEXT,
        task_id TEXT,
        trace_id TEXT,
        detail TEXT,
        chain TEXT,
        prev_hash BLOB NOT NULL,
        hash BLOB NOT NULL
      ) STRICT;

      -- Checkpoints signed with the daemon's key: record seq has this hash.
      -- base = 1 marks the one that stands in for a pruned prefix.
      CREATE TABLE audit_checkpoints (
        seq INTEGER PRIMARY KEY,
        hash BLOB NOT NULL,
        time_ms INTEGER NOT NULL,
        count INTEGER NOT NULL,
        every INTEGER NOT NULL,
        base INTEGER NOT NULL,
        signature BLOB NOT NULL
      ) STRICT;
    `
  }
]
