import type { SqlDb } from '../db/sql.js';

/** A dashboard session as stored: never its id (only the id's hash), never a usable token. */
export interface StoredSession {
  /** sha256 (hex) of the session id the browser holds in its cookie. */
  idHash: string;
  /** The token it signed in with, or null in open mode (no token configured). */
  tokenId: string | null;
  /** The token, sealed with a key only the session id gives (see gateway/sessions.ts); null in open mode. */
  sealedToken: string | null;
  createdAt: number;
  expiresAt: number;
}

const SQL = {
  insert: 'INSERT INTO dashboard_sessions (id_hash, token_id, sealed_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  get: 'SELECT id_hash, token_id, sealed_token, created_at, expires_at FROM dashboard_sessions WHERE id_hash = ? AND expires_at > ?',
  delete: 'DELETE FROM dashboard_sessions WHERE id_hash = ?',
  expired: 'DELETE FROM dashboard_sessions WHERE expires_at <= ?',
  count: 'SELECT COUNT(*) AS n FROM dashboard_sessions WHERE expires_at > ?',
  // portable (no LIMIT -1): everything expiring at or before the (keep+1)-th latest expiry
  trim: 'DELETE FROM dashboard_sessions WHERE expires_at <= (SELECT expires_at FROM dashboard_sessions ORDER BY expires_at DESC LIMIT 1 OFFSET ?)',
} as const;

interface Row {
  id_hash: string;
  token_id: string | null;
  sealed_token: string | null;
  created_at: number;
  expires_at: number;
}

/** Dashboard sign-in sessions, shared by every process on the store (a restart keeps them). */
export class SessionRepository {
  readonly #db: SqlDb;

  /** @internal Created by `Store.open`. */
  constructor(db: SqlDb) {
    this.#db = db;
  }

  async create(s: StoredSession): Promise<void> {
    (await this.#db.run(SQL.insert, s.idHash, s.tokenId, s.sealedToken, s.createdAt, s.expiresAt));
  }

  /** The live (unexpired at `now`) session with this id hash. */
  async get(idHash: string, now: number): Promise<StoredSession | undefined> {
    const row = (await this.#db.get(SQL.get, idHash, now)) as Row | undefined;
    return row && { idHash: row.id_hash, tokenId: row.token_id, sealedToken: row.sealed_token, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  async delete(idHash: string): Promise<boolean> {
    return (await this.#db.run(SQL.delete, idHash)) > 0;
  }

  /** Deletes the sessions expired at `now`; returns how many. */
  async deleteExpired(now: number): Promise<number> {
    return (await this.#db.run(SQL.expired, now));
  }

  /** Keeps the `keep` sessions that expire last; deletes the rest (returns how many). */
  async trim(keep: number): Promise<number> {
    return (await this.#db.run(SQL.trim, keep));
  }

  async count(now: number): Promise<number> {
    return ((await this.#db.get(SQL.count, now)) as { n: number }).n;
  }
}
