import type { Migration } from './migration.js';
import { SEARCH_MIGRATION } from '../search/migration.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: (d) => [
      // Cache: rows are re-inserted on refresh, so `seq` follows fetch order and the oldest rows share pages
      // (rotation then frees whole pages instead of thinning every page).
      `CREATE TABLE cache_entries (
        seq ${d.serialPrimaryKey},
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        indicator_id TEXT NOT NULL,
        indicator TEXT NOT NULL,
        found ${d.flag} NOT NULL,
        verdict TEXT NOT NULL,
        detections INTEGER,
        report ${d.bytes} NOT NULL,
        fetched_at ${d.bigint} NOT NULL,
        expires_at ${d.bigint} NOT NULL,
        hits ${d.bigint} NOT NULL DEFAULT 0
      )`,
      'CREATE UNIQUE INDEX cache_entries_key ON cache_entries (provider, kind, indicator_id)',
      'CREATE INDEX cache_entries_fetched ON cache_entries (fetched_at)',
      'CREATE INDEX cache_entries_group_fetched ON cache_entries (provider, kind, fetched_at)',
      `CREATE TABLE cache_counters (
        name TEXT PRIMARY KEY,
        value ${d.bigint} NOT NULL
      )`,

      `CREATE TABLE observations (
        seq ${d.serialPrimaryKey},
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        indicator_id TEXT NOT NULL,
        indicator TEXT NOT NULL,
        at ${d.bigint} NOT NULL,
        verdict TEXT NOT NULL,
        detections INTEGER,
        threat_label TEXT,
        reputation INTEGER,
        stats ${d.json}
      )`,
      'CREATE INDEX observations_indicator ON observations (provider, kind, indicator_id, at)',
      'CREATE INDEX observations_at ON observations (at)',
      `CREATE TABLE changes (
        seq ${d.serialPrimaryKey},
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        indicator_id TEXT NOT NULL,
        indicator TEXT NOT NULL,
        at ${d.bigint} NOT NULL,
        reasons TEXT NOT NULL,
        from_verdict TEXT NOT NULL,
        from_detections INTEGER,
        from_threat_label TEXT,
        to_verdict TEXT NOT NULL,
        to_detections INTEGER,
        to_threat_label TEXT
      )`,
      'CREATE INDEX changes_at ON changes (at)',
      'CREATE INDEX changes_indicator ON changes (indicator_id, at)',

      `CREATE TABLE batch_jobs (
        id TEXT PRIMARY KEY,
        created_at ${d.bigint} NOT NULL,
        updated_at ${d.bigint} NOT NULL,
        status TEXT NOT NULL,
        priority INTEGER NOT NULL,
        owner TEXT,
        total INTEGER NOT NULL,
        done INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        budget INTEGER,
        upstream_calls INTEGER NOT NULL,
        webhook TEXT,
        options ${d.json} NOT NULL,
        error ${d.json}
      )`,
      'CREATE INDEX batch_jobs_status ON batch_jobs (status, priority, created_at)',
      'CREATE INDEX batch_jobs_owner ON batch_jobs (owner, created_at)',
      `CREATE TABLE batch_items (${d.rowidColumn}
        job_id TEXT NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        input TEXT NOT NULL,
        kind TEXT,
        indicator_id TEXT,
        status TEXT NOT NULL,
        source TEXT,
        result ${d.json},
        error ${d.json},
        finished_at ${d.bigint},
        PRIMARY KEY (job_id, seq)
      )`,
      'CREATE INDEX batch_items_status ON batch_items (job_id, status, seq)',

      `CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        owner TEXT,
        url TEXT NOT NULL,
        events ${d.json} NOT NULL,
        secret TEXT NOT NULL,
        created_at ${d.bigint} NOT NULL,
        active ${d.flag} NOT NULL
      )`,
      'CREATE INDEX webhooks_owner ON webhooks (owner)',
      `CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        event TEXT NOT NULL,
        payload ${d.json} NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at ${d.bigint} NOT NULL,
        last_error TEXT,
        last_status INTEGER,
        created_at ${d.bigint} NOT NULL,
        delivered_at ${d.bigint},
        claimed_until ${d.bigint}
      )`,
      'CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)',
      'CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at)',

      `CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        daily_budget INTEGER,
        created_at ${d.bigint} NOT NULL,
        revoked_at ${d.bigint}
      )`,
      'CREATE UNIQUE INDEX tokens_hash ON tokens (token_hash)',
      // A name is unique among live tokens; a revoked token's name can be reused.
      'CREATE UNIQUE INDEX tokens_live_name ON tokens (name) WHERE revoked_at IS NULL',
      `CREATE TABLE token_spend (
        token_id TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        spent INTEGER NOT NULL,
        PRIMARY KEY (token_id, day)
      )`,

      `CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at ${d.bigint} NOT NULL
      )`,
    ],
  },
  SEARCH_MIGRATION,
  {
    // Numbered after the highest on main (15, search index); the lead may renumber.
    version: 16,
    name: 'watchlists',
    statements: (d) => [
      `CREATE TABLE watchlists (
        name TEXT PRIMARY KEY,
        every_ms ${d.bigint} NOT NULL,
        created_at ${d.bigint} NOT NULL
      )`,
      `CREATE TABLE watchlist_items (
        watchlist TEXT NOT NULL REFERENCES watchlists (name) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        indicator_id TEXT NOT NULL,
        indicator TEXT NOT NULL,
        added_at ${d.bigint} NOT NULL,
        last_checked_at ${d.bigint},
        PRIMARY KEY (watchlist, kind, indicator_id)
      )`,
      'CREATE INDEX watchlist_items_indicator ON watchlist_items (kind, indicator_id)',
    ],
  },
  {
    // Local YARA matches are history of the file they matched (issue 14), kept beside VirusTotal's observations.
    version: 17,
    name: 'yara observations',
    statements: (d) => [
      `CREATE TABLE yara_observations (
        seq ${d.serialPrimaryKey},
        sha256 TEXT NOT NULL,
        sha1 TEXT NOT NULL,
        md5 TEXT NOT NULL,
        at ${d.bigint} NOT NULL,
        name TEXT NOT NULL,
        matches ${d.json} NOT NULL
      )`,
      'CREATE INDEX yara_observations_sha256 ON yara_observations (sha256, at)',
      'CREATE INDEX yara_observations_sha1 ON yara_observations (sha1)',
      'CREATE INDEX yara_observations_md5 ON yara_observations (md5)',
    ],
  },
  {
    // An admin's upload policy for one token (issue 14); NULL: the server's `content.uploads`.
    version: 18,
    name: 'token upload policy',
    statements: () => ['ALTER TABLE tokens ADD COLUMN upload_policy TEXT'],
  },
  {
    version: 19,
    name: 'dashboard sessions and daily counters',
    statements: (d) => [
      `CREATE TABLE dashboard_sessions (
        id_hash TEXT PRIMARY KEY,
        token_id TEXT REFERENCES tokens (id) ON DELETE CASCADE,
        sealed_token TEXT,
        created_at ${d.bigint} NOT NULL,
        expires_at ${d.bigint} NOT NULL
      )`,
      'CREATE INDEX dashboard_sessions_expires ON dashboard_sessions (expires_at)',
      `CREATE TABLE daily_counters (
        day TEXT NOT NULL,
        name TEXT NOT NULL,
        value ${d.bigint} NOT NULL,
        PRIMARY KEY (day, name)
      )`,
    ],
  },
  {
    version: 20,
    name: 'usage history',
    statements: (d) => [
      // upstream calls per hour per governor key (the quota forecast's history), kept 90 days
      `CREATE TABLE usage_hours (
        key TEXT NOT NULL,
        hour ${d.bigint} NOT NULL,
        calls INTEGER NOT NULL,
        PRIMARY KEY (key, hour)
      )`,
    ],
  },
];
