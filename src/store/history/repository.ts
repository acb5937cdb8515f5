import type { IndicatorKind } from '../../indicators/index.js';
import type { AnalysisStats, ProviderName, Verdict } from '../../providers/types.js';
import type { Queryable, SqlDb } from '../db/sql.js';
import { OBSERVATION_COLUMNS, type ObservationRow } from '../db/observation-row.js';
import { parseJson, where } from '../db/where.js';
import { DEFAULT_CHANGE_OPTIONS, detectChange } from './changes.js';
import type { Change, ChangeOptions, ChangeQuery, ChangeReason, HistoryQuery, Observation } from './types.js';

const CHANGE_COLUMNS = `provider, kind, indicator_id, indicator, at, reasons,
  from_verdict, from_detections, from_threat_label, to_verdict, to_detections, to_threat_label`;

const SQL = {
  append: `INSERT INTO observations (${OBSERVATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
  latest: `SELECT ${OBSERVATION_COLUMNS} FROM observations
    WHERE provider = ? AND kind = ? AND indicator_id = ? ORDER BY at DESC, seq DESC LIMIT 1`,
  series: `SELECT * FROM (
      SELECT seq, ${OBSERVATION_COLUMNS} FROM observations
      WHERE provider = ? AND kind = ? AND indicator_id = ? ORDER BY at DESC, seq DESC LIMIT ?
    ) AS newest ORDER BY at, seq`,
  recordChange: `INSERT INTO changes (${CHANGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
} as const;

interface ChangeRow {
  provider: ProviderName;
  kind: IndicatorKind;
  indicator_id: string;
  indicator: string;
  at: number;
  reasons: string;
  from_verdict: Verdict;
  from_detections: number | null;
  from_threat_label: string | null;
  to_verdict: Verdict;
  to_detections: number | null;
  to_threat_label: string | null;
}

function toObservation(row: ObservationRow): Observation {
  const o: Observation = {
    provider: row.provider,
    kind: row.kind,
    id: row.indicator_id,
    indicator: row.indicator,
    at: row.at,
    verdict: row.verdict,
    detections: row.detections,
    threatLabel: row.threat_label,
    reputation: row.reputation,
  };
  const stats = parseJson<AnalysisStats>(row.stats);
  if (stats) o.stats = stats;
  return o;
}

function toChange(row: ChangeRow): Change {
  return {
    provider: row.provider,
    kind: row.kind,
    id: row.indicator_id,
    indicator: row.indicator,
    at: row.at,
    reasons: JSON.parse(row.reasons) as ChangeReason[],
    from: { verdict: row.from_verdict, detections: row.from_detections, threatLabel: row.from_threat_label },
    to: { verdict: row.to_verdict, detections: row.to_detections, threatLabel: row.to_threat_label },
  };
}

function clampLimit(limit: number | undefined, fallback: number): number {
  return Math.min(Math.max(Math.trunc(limit ?? fallback) || 1, 1), 10_000);
}

/** Every observation of every indicator, and the changes found between consecutive ones. */
export class HistoryRepository {
  readonly #db: SqlDb;

  /** @internal Created by `Store.open`. */
  constructor(db: SqlDb) {
    this.#db = db;
  }

  /** Stores one observation. Returns its sequence number. */
  async append(o: Observation): Promise<number> {
    return await appendTo(this.#db, o);
  }

  /** Stores many observations in one transaction (bulk loads, benchmarks). */
  async appendMany(observations: Iterable<Observation>): Promise<void> {
    await this.#db.transaction(async (tx) => {
      for (const o of observations) await appendTo(tx, o);
    });
  }

  /**
   * Appends an observation, compares it with the previous one of the same indicator and records the
   * change if there is one, all in one transaction. Returns the change (null when nothing changed).
   */
  async observe(o: Observation, options: ChangeOptions = DEFAULT_CHANGE_OPTIONS): Promise<Change | null> {
    return await this.#db.transaction(async (tx) => {
      const previous = await latestIn(tx, o.provider, o.kind, o.id);
      await appendTo(tx, o);
      const change = detectChange(previous, o, options);
      if (change) await recordIn(tx, change);
      return change;
    });
  }

  /** The most recent observation of one indicator by one provider. */
  async latest(provider: ProviderName, kind: IndicatorKind, id: string): Promise<Observation | undefined> {
    return await latestIn(this.#db, provider, kind, id);
  }

  /** The most recent `limit` (default 1000) observations of one indicator, oldest first. */
  async series(provider: ProviderName, kind: IndicatorKind, id: string, options: { limit?: number } = {}): Promise<Observation[]> {
    return (await this.#db.all<ObservationRow>(SQL.series, provider, kind, id, clampLimit(options.limit, 1000))).map(toObservation);
  }

  /** Latest observations of any indicator, newest first. */
  async recent(query: HistoryQuery): Promise<Observation[]> {
    const w = where([query.since !== undefined && ['at >= ?', query.since]]);
    const sql = `SELECT ${OBSERVATION_COLUMNS} FROM observations${w.sql} ORDER BY at DESC, seq DESC LIMIT ?`;
    return (await this.#db.all<ObservationRow>(sql, ...w.params, clampLimit(query.limit, 100))).map(toObservation);
  }

  /** Recorded changes, newest first. */
  async changes(query: ChangeQuery): Promise<Change[]> {
    const w = where([query.since !== undefined && ['at >= ?', query.since], query.id !== undefined && ['indicator_id = ?', query.id]]);
    const sql = `SELECT ${CHANGE_COLUMNS} FROM changes${w.sql} ORDER BY at DESC, seq DESC LIMIT ?`;
    return (await this.#db.all<ChangeRow>(sql, ...w.params, clampLimit(query.limit, 100))).map(toChange);
  }

  /** Stores a change found by `detectChange`. Returns its sequence number. */
  async recordChange(c: Change): Promise<number> {
    return await recordIn(this.#db, c);
  }
}

async function appendTo(q: Queryable, o: Observation): Promise<number> {
  const row = await q.get<{ seq: number }>(
    SQL.append,
    o.provider,
    o.kind,
    o.id,
    o.indicator,
    o.at,
    o.verdict,
    o.detections ?? null,
    o.threatLabel ?? null,
    o.reputation ?? null,
    o.stats ? JSON.stringify(o.stats) : null,
  );
  return (row as { seq: number }).seq;
}

async function latestIn(q: Queryable, provider: ProviderName, kind: IndicatorKind, id: string): Promise<Observation | undefined> {
  const row = await q.get<ObservationRow>(SQL.latest, provider, kind, id);
  return row ? toObservation(row) : undefined;
}

async function recordIn(q: Queryable, c: Change): Promise<number> {
  const row = await q.get<{ seq: number }>(
    SQL.recordChange,
    c.provider,
    c.kind,
    c.id,
    c.indicator,
    c.at,
    JSON.stringify(c.reasons),
    c.from.verdict,
    c.from.detections,
    c.from.threatLabel,
    c.to.verdict,
    c.to.detections,
    c.to.threatLabel,
  );
  return (row as { seq: number }).seq;
}
