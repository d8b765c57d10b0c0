//! The history's schema, step by step, and what each step means.

/// The schema, step by step: step N takes a file from version N to N + 1.
pub const MIGRATIONS: &[&str] = &[
    // 1: exchanges, and the items of bulk replay runs (for resuming).
    "CREATE TABLE IF NOT EXISTS exchanges (
        id INTEGER PRIMARY KEY,
        started_ms INTEGER NOT NULL,
        origin TEXT NOT NULL,
        replay_of INTEGER,
        run INTEGER,
        profile TEXT,
        method TEXT NOT NULL,
        url TEXT NOT NULL,
        host TEXT NOT NULL,
        path TEXT NOT NULL,
        req_headers TEXT NOT NULL,
        req_body BLOB NOT NULL,
        req_truncated INTEGER NOT NULL DEFAULT 0,
        status INTEGER,
        resp_headers TEXT,
        resp_body BLOB,
        resp_truncated INTEGER NOT NULL DEFAULT 0,
        error_kind TEXT,
        error_message TEXT,
        elapsed_ms INTEGER NOT NULL,
        failed INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS exchanges_failed ON exchanges(failed, id);
    CREATE INDEX IF NOT EXISTS exchanges_profile ON exchanges(profile, id);
    CREATE INDEX IF NOT EXISTS exchanges_started ON exchanges(started_ms);
    CREATE INDEX IF NOT EXISTS exchanges_replay_of ON exchanges(replay_of);
    CREATE INDEX IF NOT EXISTS exchanges_run ON exchanges(run, replay_of);
    CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY,
        created_ms INTEGER NOT NULL,
        url TEXT
    );
    CREATE TABLE IF NOT EXISTS run_items (
        run INTEGER NOT NULL,
        source INTEGER NOT NULL,
        PRIMARY KEY (run, source)
    ) WITHOUT ROWID;",
    // 2: covering indexes for the outcome chart, so it reads no bodies;
    // fewer indexes to keep up on every insert.
    "CREATE INDEX IF NOT EXISTS exchanges_time_failed ON exchanges(started_ms, failed);
    CREATE INDEX IF NOT EXISTS exchanges_failed_time ON exchanges(failed, started_ms);
    DROP INDEX IF EXISTS exchanges_started;
    DROP INDEX IF EXISTS exchanges_replay_of;",
    // 3: who sent a received request, out of its headers (older files kept
    // it as an `x-hookbench-peer` header: moved out as they are read).
    "ALTER TABLE exchanges ADD COLUMN peer TEXT;",
    // 4: deliveries. A delivery is a first attempt and everything that
    // descends from it (its retries, its replays and theirs): `root` is
    // that first attempt's id (NULL on the first attempt itself), and a
    // row of `deliveries` per delivery says its latest attempt, how many
    // there were, how many got a 2xx, and whether a person marked it
    // resolved (1) or open (0). On the records, `latest` marks each
    // delivery's latest attempt, and on that one `open` says the delivery
    // is unresolved and `troubled` that an attempt of it failed: the
    // History view's lists are then plain index ranges. Older files get
    // their roots and deliveries computed here.
    "ALTER TABLE exchanges ADD COLUMN root INTEGER;
    ALTER TABLE exchanges ADD COLUMN latest INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE exchanges ADD COLUMN open INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE exchanges ADD COLUMN troubled INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX IF NOT EXISTS exchanges_root ON exchanges(root) WHERE root IS NOT NULL;
    CREATE TABLE IF NOT EXISTS deliveries (
        root INTEGER PRIMARY KEY,
        latest INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        succeeded INTEGER NOT NULL,
        manual INTEGER
    );
    WITH RECURSIVE tree(id, root) AS (
        SELECT id, id FROM exchanges
         WHERE replay_of IS NULL OR replay_of NOT IN (SELECT id FROM exchanges)
        UNION
        SELECT e.id, tree.root FROM exchanges e JOIN tree ON e.replay_of = tree.id
    )
    UPDATE exchanges SET root = (SELECT tree.root FROM tree WHERE tree.id = exchanges.id)
     WHERE replay_of IS NOT NULL AND replay_of IN (SELECT id FROM exchanges);
    INSERT OR REPLACE INTO deliveries (root, latest, attempts, succeeded)
        SELECT coalesce(root, id), max(id), count(*), sum(failed = 0)
          FROM exchanges GROUP BY coalesce(root, id);
    UPDATE exchanges SET latest = 1,
        open = (SELECT succeeded = 0 FROM deliveries d WHERE d.latest = exchanges.id),
        troubled = (SELECT succeeded < attempts FROM deliveries d WHERE d.latest = exchanges.id)
     WHERE id IN (SELECT latest FROM deliveries);
    DROP INDEX IF EXISTS exchanges_time_failed;
    DROP INDEX IF EXISTS exchanges_failed;
    CREATE INDEX IF NOT EXISTS exchanges_latest_time ON exchanges(latest, started_ms, failed);
    CREATE INDEX IF NOT EXISTS exchanges_open_time ON exchanges(open, started_ms);",
    // 5: payloads kept once. Headers and bodies over a few bytes go to
    // `blobs`, by content (see blobs.rs), and a record refers to them
    // (`*_ref`; its own column is then empty): an unchanged replay adds
    // references, not copies, and large bodies are kept compressed. Older
    // records keep their payloads in their rows. Fewer index entries per
    // record: the lists of latest attempts, open deliveries and failed
    // attempts index only their own records, the profile index only the
    // latest attempts of a profile's deliveries (a list of every attempt
    // of one profile reads the table), and a run's replays are found
    // through their delivery (the root index). Each holds the flags its
    // lists test, so they read no row (flags cost no bytes but a type).
    "CREATE TABLE IF NOT EXISTS blobs (
        id INTEGER PRIMARY KEY,
        hash INTEGER NOT NULL,
        codec INTEGER NOT NULL,
        data BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS blobs_hash ON blobs(hash);
    ALTER TABLE exchanges ADD COLUMN req_headers_ref INTEGER;
    ALTER TABLE exchanges ADD COLUMN req_body_ref INTEGER;
    ALTER TABLE exchanges ADD COLUMN resp_headers_ref INTEGER;
    ALTER TABLE exchanges ADD COLUMN resp_body_ref INTEGER;
    DROP INDEX IF EXISTS exchanges_run;
    DROP INDEX IF EXISTS exchanges_profile;
    DROP INDEX IF EXISTS exchanges_failed_time;
    DROP INDEX IF EXISTS exchanges_latest_time;
    DROP INDEX IF EXISTS exchanges_open_time;
    CREATE INDEX IF NOT EXISTS exchanges_profile
        ON exchanges(profile, started_ms, failed, open, troubled)
        WHERE latest = 1 AND profile IS NOT NULL;
    CREATE INDEX IF NOT EXISTS exchanges_latest ON exchanges(started_ms, failed, troubled)
        WHERE latest = 1;
    CREATE INDEX IF NOT EXISTS exchanges_open ON exchanges(started_ms, failed, latest)
        WHERE open = 1;
    CREATE INDEX IF NOT EXISTS exchanges_failed ON exchanges(started_ms) WHERE failed = 1;",
    // 6: environments. The environment a record's profile was rendered in
    // (`--env`), and the record it was compared with (`compare`: the two
    // point at each other).
    "ALTER TABLE exchanges ADD COLUMN env TEXT;
    ALTER TABLE exchanges ADD COLUMN pair INTEGER;",
];
