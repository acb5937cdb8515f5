import type { IndicatorKind } from '../../indicators/index.js';
import type { AnalysisStats, ProviderName, Verdict } from '../../providers/types.js';
import type { Db } from '../db/connection.js';
import { writeTransaction } from '../db/write.js';
import { StatementCache } from '../db/statements.js';
import { parseJson, where } from '../db/where.js';
import { DEFAULT_CHANGE_OPTIONS, detectChange } from './changes.js';
import type { Change, ChangeOptions, ChangeQuery, ChangeReason, HistoryQuery, Observation } from './types.js';

const OBSERVATION_COLUMNS =
  'provider, kind, indicator_id, indicator, at, verdict, detections, threat_label, reputation, stats';
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

interface ObservationRow {
  provider: ProviderName;
  kind: IndicatorKind;
  indicator_id: string;
  indicator: string;
  at: number;
  verdict: Verdict;
  detections: number | null;
  threat_label: string | null;
  reputation: number | null;
  stats: string | null;
}

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
  readonly #append;
  readonly #latest;
  readonly #series;
  readonly #recordChange;
  readonly #statements: StatementCache;
  readonly #observe: (o: Observation, options: ChangeOptions) => Change | null;
  readonly #appendMany: (observations: Iterable<Observation>) => void;

  /** @internal Created by `Store.open`. */
  constructor(db: Db) {
    this.#statements = new StatementCache(db);
    this.#append = db.prepare<unknown[], { seq: number }>(SQL.append);
    this.#latest = db.prepare<[string, string, string], ObservationRow>(SQL.latest);
    this.#series = db.prepare<[string, string, string, number], ObservationRow>(SQL.series);
    this.#recordChange = db.prepare<unknown[], { seq: number }>(SQL.recordChange);
    this.#observe = writeTransaction(db, (o: Observation, options: ChangeOptions) => {
      const previous = this.#latestSync(o.provider, o.kind, o.id);
      this.#appendSync(o);
      const change = detectChange(previous, o, options);
      if (change) this.#recordChangeSync(change);
      return change;
    });
    this.#appendMany = writeTransaction(db, (observations: Iterable<Observation>) => {
      for (const o of observations) this.#appendSync(o);
    });
  }

  /** Stores one observation. Returns its sequence number. */
  async append(o: Observation): Promise<number> {
    return this.#appendSync(o);
  }

  #appendSync(o: Observation): number {
    const row = this.#append.get(
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

  /** Stores many observations in one transaction (bulk loads, benchmarks). */
  async appendMany(observations: Iterable<Observation>): Promise<void> {
    this.#appendMany(observations);
  }

  /**
   * Appends an observation, compares it with the previous one of the same indicator and records the
   * change if there is one, all in one transaction. Returns the change (null when nothing changed).
   */
  async observe(o: Observation, options: ChangeOptions = DEFAULT_CHANGE_OPTIONS): Promise<Change | null> {
    return this.#observe(o, options);
  }

  /** The most recent observation of one indicator by one provider. */
  async latest(provider: ProviderName, kind: IndicatorKind, id: string): Promise<Observation | undefined> {
    return this.#latestSync(provider, kind, id);
  }

  #latestSync(provider: ProviderName, kind: IndicatorKind, id: string): Observation | undefined {
    const row = this.#latest.get(provider, kind, id);
    return row ? toObservation(row) : undefined;
  }

  /** The most recent `limit` (default 1000) observations of one indicator, oldest first. */
  async series(provider: ProviderName, kind: IndicatorKind, id: string, options: { limit?: number } = {}): Promise<Observation[]> {
    return this.#series.all(provider, kind, id, clampLimit(options.limit, 1000)).map(toObservation);
  }

  /** Latest observations of any indicator, newest first. */
  async recent(query: HistoryQuery): Promise<Observation[]> {
    const w = where([query.since !== undefined && ['at >= ?', query.since]]);
    const sql = `SELECT ${OBSERVATION_COLUMNS} FROM observations${w.sql} ORDER BY at DESC, seq DESC LIMIT ?`;
    return (this.#statements.get(sql).all(...w.params, clampLimit(query.limit, 100)) as ObservationRow[]).map(toObservation);
  }

  /** Recorded changes, newest first. */
  async changes(query: ChangeQuery): Promise<Change[]> {
    const w = where([query.since !== undefined && ['at >= ?', query.since], query.id !== undefined && ['indicator_id = ?', query.id]]);
    const sql = `SELECT ${CHANGE_COLUMNS} FROM changes${w.sql} ORDER BY at DESC, seq DESC LIMIT ?`;
    return (this.#statements.get(sql).all(...w.params, clampLimit(query.limit, 100)) as ChangeRow[]).map(toChange);
  }

  /** Stores a change found by `detectChange`. Returns its sequence number. */
  async recordChange(c: Change): Promise<number> {
    return this.#recordChangeSync(c);
  }

  #recordChangeSync(c: Change): number {
    const row = this.#recordChange.get(
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
}
