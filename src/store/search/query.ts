/** SQL for one search: the WHERE clause from the filters, the keyset cursor and the ORDER BY. */
import type { Condition } from '../db/where.js';
import { where } from '../db/where.js';
import type { SearchQuery, SearchSort } from './types.js';

const SORT_COLUMN: Record<SearchSort, string> = {
  last_seen: 's.last_seen',
  first_seen: 's.first_seen',
  detections: 's.detections',
  indicator: 's.indicator',
};

interface Cursor {
  v: number | string;
  k: string;
  i: string;
}

export function encodeCursor(v: number | string, k: string, i: string): string {
  return Buffer.from(JSON.stringify({ v, k, i } satisfies Cursor)).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
    if ((typeof c.v === 'number' || typeof c.v === 'string') && typeof c.k === 'string' && typeof c.i === 'string') return c as Cursor;
  } catch {
    // fall through
  }
  throw new RangeError('invalid search cursor');
}

/** LIKE pattern for a substring, with `\` as the escape character. */
export function likeSubstring(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** `like`: the case-insensitive LIKE of the dialect (PostgreSQL's LIKE is case-sensitive: ILIKE there). */
export function filterConditions(q: SearchQuery, like = 'LIKE'): Condition[] {
  const verdicts = q.verdict === undefined ? [] : Array.isArray(q.verdict) ? q.verdict : [q.verdict];
  return [
    q.since !== undefined && ['s.last_seen >= ?', q.since],
    q.until !== undefined && ['s.last_seen <= ?', q.until],
    q.kind !== undefined && ['s.kind = ?', q.kind],
    verdicts.length > 0 && [`s.verdict IN (${verdicts.map(() => '?').join(', ')})`, ...verdicts],
    q.minDetections !== undefined && q.minDetections > 0 && ['s.detections >= ?', q.minDetections],
    q.label !== undefined && q.label !== '' && [`s.threat_label ${like} ? ESCAPE '\\'`, likeSubstring(q.label)],
    q.provider !== undefined && ['s.providers LIKE ?', `%,${q.provider},%`],
    q.q !== undefined && q.q !== '' && [`(s.indicator ${like} ? ESCAPE '\\' OR s.names ${like} ? ESCAPE '\\')`, likeSubstring(q.q), likeSubstring(q.q)],
    q.after !== undefined && ['s.updated_seq > ?', q.after],
  ];
}

/**
 * `FROM search_index s` plus a join per tag or source filter: the planner can then start from the
 * few rows carrying that tag or source (their primary keys lead with it) instead of scanning the index.
 */
export function fromClause(q: SearchQuery, probe = false): { sql: string; params: unknown[] } {
  let sql = ' FROM search_index s';
  const params: unknown[] = [];
  if (probe) return { sql, params };
  if (q.tag !== undefined) {
    sql += ' JOIN search_tags t ON t.tag = ? AND t.kind = s.kind AND t.indicator_id = s.indicator_id';
    params.push(q.tag);
  }
  if (q.source !== undefined) {
    sql += ' JOIN search_sources src ON src.source = ? AND src.kind = s.kind AND src.indicator_id = s.indicator_id';
    params.push(q.source);
  }
  return { sql, params };
}

export interface PageSql {
  sql: string;
  params: unknown[];
  countSql: string;
  countParams: unknown[];
  column: string;
}

/** A tag or source as a probe per row instead of a join (for common tags: walk the sort index, stop at a page). */
function probeConditions(q: SearchQuery): Condition[] {
  return [
    q.tag !== undefined && ['EXISTS (SELECT 1 FROM search_tags t WHERE t.tag = ? AND t.kind = s.kind AND t.indicator_id = s.indicator_id)', q.tag],
    q.source !== undefined && ['EXISTS (SELECT 1 FROM search_sources src WHERE src.source = ? AND src.kind = s.kind AND src.indicator_id = s.indicator_id)', q.source],
  ];
}

/**
 * `probe`: the tag or source matches many rows (the caller knows from the count), so walking the sort
 * index and probing each row reaches a page sooner than joining every match and sorting it.
 */
export function pageSql(q: SearchQuery, columns: string, limit: number, probe = false, like = 'LIKE'): PageSql {
  const sort = q.sort ?? 'last_seen';
  const column = SORT_COLUMN[sort];
  if (!column) throw new RangeError(`unknown sort ${String(sort)}`);
  const desc = (q.order ?? (sort === 'indicator' ? 'asc' : 'desc')) === 'desc';
  const filters = filterConditions(q, like);
  const count = where(filters);
  const conditions = probe ? [...filters, ...probeConditions(q)] : [...filters];
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    conditions.push([`(${column}, s.kind, s.indicator_id) ${desc ? '<' : '>'} (?, ?, ?)`, c.v, c.k, c.i]);
  }
  const w = where(conditions);
  const from = fromClause(q, probe);
  const counted = fromClause(q);
  const dir = desc ? 'DESC' : 'ASC';
  return {
    sql: `SELECT ${columns}${from.sql}${w.sql} ORDER BY ${column} ${dir}, s.kind ${dir}, s.indicator_id ${dir} LIMIT ?`,
    params: [...from.params, ...w.params, limit],
    countSql: `SELECT COUNT(*) AS n${counted.sql}${count.sql}`,
    countParams: [...counted.params, ...count.params],
    column: column.slice(2),
  };
}
