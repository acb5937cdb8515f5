import type { SqlDb } from '../db/sql.js';
import type { StoredYaraMatch, YaraObservation } from './types.js';

const COLUMNS = 'sha256, sha1, md5, at, name, matches';

const SQL = {
  append: `INSERT INTO yara_observations (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`,
  series: (column: 'sha256' | 'sha1' | 'md5') => `SELECT * FROM (
      SELECT seq, ${COLUMNS} FROM yara_observations WHERE ${column} = ? ORDER BY at DESC, seq DESC LIMIT ?
    ) AS newest ORDER BY at, seq`,
} as const;

interface Row {
  sha256: string;
  sha1: string;
  md5: string;
  at: number;
  name: string;
  matches: string;
}

const HASH_COLUMN: Record<number, 'sha256' | 'sha1' | 'md5'> = { 64: 'sha256', 40: 'sha1', 32: 'md5' };

/** YARA matches as history: one observation per file and scan in which a local rule matched. */
export class YaraRepository {
  readonly #db: SqlDb;

  /** @internal Created by `Store.open`. */
  constructor(db: SqlDb) {
    this.#db = db;
  }

  /** Stores one observation (with at least one match). Returns its sequence number. */
  async append(o: YaraObservation): Promise<number> {
    const matches: StoredYaraMatch[] = o.matches.map((m) => ({ rule: m.rule, ...(m.namespace ? { namespace: m.namespace } : {}), tags: m.tags, meta: m.meta, offsets: m.offsets }));
    const row = (await this.#db.get(SQL.append, o.sha256, o.sha1, o.md5, o.at, o.name, JSON.stringify(matches))) as { seq: number };
    return row.seq;
  }

  /** The most recent `limit` observations of a file named by any of its hashes (lowercase hex), oldest first. */
  async series(hash: string, options: { limit?: number } = {}): Promise<YaraObservation[]> {
    const column = HASH_COLUMN[hash.length];
    if (!column) return [];
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 1000) || 1, 1), 10_000);
    const rows = (await this.#db.all(SQL.series(column), hash.toLowerCase(), limit)) as Row[];
    return rows.map((r) => ({ sha256: r.sha256, sha1: r.sha1, md5: r.md5, at: r.at, name: r.name, matches: JSON.parse(r.matches) as StoredYaraMatch[] }));
  }
}
