import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../clock/index.js';
import { isUniqueViolation, type SqlDb } from '../db/sql.js';
import type { CreatedToken, NewToken, TokenChanges, TokenRecord, TokenRole, TokenUploadPolicy } from './types.js';

const TOKEN_PREFIX = 'vtg_';
const ROLES: readonly TokenRole[] = ['admin', 'analyst', 'reader'];
const UPLOAD_POLICIES: readonly TokenUploadPolicy[] = ['never', 'unknown-only', 'always'];
const RECORD_COLUMNS = 'id, name, role, daily_budget, upload_policy, created_at, revoked_at';

const SQL = {
  insert: `INSERT INTO tokens (id, name, role, token_hash, daily_budget, upload_policy, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
  live: `SELECT ${RECORD_COLUMNS} FROM tokens WHERE revoked_at IS NULL AND (id = ? OR name = ?)`,
  setBudget: 'UPDATE tokens SET daily_budget = ? WHERE revoked_at IS NULL AND id = ?',
  setUploadPolicy: 'UPDATE tokens SET upload_policy = ? WHERE revoked_at IS NULL AND id = ?',
  uploadPolicy: 'SELECT upload_policy FROM tokens WHERE id = ? AND revoked_at IS NULL',
  byId: `SELECT ${RECORD_COLUMNS} FROM tokens WHERE id = ?`,
  byHash: `SELECT ${RECORD_COLUMNS} FROM tokens WHERE token_hash = ? AND revoked_at IS NULL`,
  list: `SELECT ${RECORD_COLUMNS} FROM tokens ORDER BY created_at, name`,
  revoke: 'UPDATE tokens SET revoked_at = ? WHERE revoked_at IS NULL AND (id = ? OR name = ?)',
  count: 'SELECT COUNT(*) AS n FROM tokens WHERE revoked_at IS NULL',
  spend: `INSERT INTO token_spend (token_id, day, spent) VALUES (?, ?, ?)
    ON CONFLICT (token_id, day) DO UPDATE SET spent = token_spend.spent + excluded.spent RETURNING spent`,
  spent: 'SELECT spent FROM token_spend WHERE token_id = ? AND day = ?',
} as const;

interface RecordRow {
  id: string;
  name: string;
  role: TokenRole;
  daily_budget: number | null;
  upload_policy: TokenUploadPolicy | null;
  created_at: number;
  revoked_at: number | null;
}

function toRecord(row: RecordRow): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    dailyBudget: row.daily_budget,
    uploadPolicy: row.upload_policy,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

function checkBudget(budget: number | null): number | null {
  if (budget !== null && !(Number.isSafeInteger(budget) && budget >= 0)) throw new RangeError('dailyBudget must be a non-negative integer or null');
  return budget;
}

function checkPolicy(policy: TokenUploadPolicy | null): TokenUploadPolicy | null {
  if (policy !== null && !UPLOAD_POLICIES.includes(policy)) throw new RangeError(`uploadPolicy must be one of ${UPLOAD_POLICIES.join(', ')} or null`);
  return policy;
}

/** sha256 (hex) of a client token: the only form in which a token is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Client tokens for the HTTP service. A token is `vtg_` + 32 random bytes (base64url), returned once by
 * `create`; only its sha256 is stored and looked up, so the database never holds a usable token.
 */
export class TokenRepository {
  readonly #clock: Clock;
  readonly #db: SqlDb;

  /** @internal Created by `Store.open`. */
  constructor(db: SqlDb, clock: Clock) {
    this.#clock = clock;
    this.#db = db;
  }

  /** Creates a token. Throws when a live token already has this name. */
  async create(input: NewToken): Promise<CreatedToken> {
    const name = input.name.trim();
    if (!name) throw new RangeError('token name must not be empty');
    if (!ROLES.includes(input.role)) throw new RangeError(`token role must be one of ${ROLES.join(', ')}`);
    const budget = checkBudget(input.dailyBudget ?? null);
    const policy = checkPolicy(input.uploadPolicy ?? null);
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const id = randomUUID();
    try {
      (await this.#db.run(SQL.insert, id, name, input.role, hashToken(token), budget, policy, this.#clock.now()));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new RangeError(`a token named "${name}" already exists`);
      }
      throw error;
    }
    return { token, record: toRecord((await this.#db.get(SQL.byId, id)) as RecordRow) };
  }

  /** The live token's record, or undefined for an unknown, malformed or revoked token. */
  async verify(token: string): Promise<TokenRecord | undefined> {
    if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX) || token.length > 128) return undefined;
    const row = (await this.#db.get(SQL.byHash, hashToken(token))) as RecordRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Every token record, revoked ones included (never the token or its hash). */
  async list(): Promise<TokenRecord[]> {
    return ((await this.#db.all(SQL.list)) as RecordRow[]).map(toRecord);
  }

  /** Changes a live token (by id or name). Returns the updated record, or undefined when no live token has that id or name. */
  async update(idOrName: string, changes: TokenChanges): Promise<TokenRecord | undefined> {
    const budget = changes.dailyBudget === undefined ? undefined : checkBudget(changes.dailyBudget);
    const policy = changes.uploadPolicy === undefined ? undefined : checkPolicy(changes.uploadPolicy);
    const row = (await this.#db.get(SQL.live, idOrName, idOrName)) as RecordRow | undefined;
    if (!row) return undefined;
    if (budget !== undefined) (await this.#db.run(SQL.setBudget, budget, row.id));
    if (policy !== undefined) (await this.#db.run(SQL.setUploadPolicy, policy, row.id));
    return toRecord((await this.#db.get(SQL.byId, row.id)) as RecordRow);
  }

  /** A live token's upload policy (null: the server's default, or no live token with that id). */
  async uploadPolicy(tokenId: string): Promise<TokenUploadPolicy | null> {
    const row = (await this.#db.get(SQL.uploadPolicy, tokenId)) as { upload_policy: TokenUploadPolicy | null } | undefined;
    return row?.upload_policy ?? null;
  }

  /** Revokes the live token with this id or name. Returns whether one was revoked. */
  async revoke(idOrName: string): Promise<boolean> {
    return (await this.#db.run(SQL.revoke, this.#clock.now(), idOrName, idOrName)) > 0;
  }

  /** Number of live (not revoked) tokens. */
  async count(): Promise<number> {
    return ((await this.#db.get(SQL.count)) as { n: number }).n;
  }

  /** Adds `n` upstream calls to a token's spend for `dayKey` (e.g. '2026-01-15', UTC). Returns the day's total. */
  async spend(tokenId: string, dayKey: string, n: number): Promise<{ spentToday: number }> {
    const row = (await this.#db.get(SQL.spend, tokenId, dayKey, n)) as { spent: number };
    return { spentToday: row.spent };
  }

  async spentToday(tokenId: string, dayKey: string): Promise<number> {
    const row = (await this.#db.get(SQL.spent, tokenId, dayKey)) as { spent: number } | undefined;
    return row?.spent ?? 0;
  }
}
