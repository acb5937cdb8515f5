import type { MockRequestRecord, MockStats } from './types.js';

const MAX_RECORDS = 100_000;

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** What the simulator received: totals by endpoint, key label and status, plus the last 100000 requests. */
export class StatsRecorder {
  #stats: MockStats = StatsRecorder.#empty();

  static #empty(): MockStats {
    return { total: 0, rejected429: 0, byEndpoint: {}, byKey: {}, byStatus: {}, requests: [], dropped: 0, hung: 0 };
  }

  record(entry: MockRequestRecord, outcome?: 'dropped' | 'hung'): void {
    const s = this.#stats;
    s.total++;
    if (entry.status === 429) s.rejected429++;
    if (outcome === 'dropped') s.dropped++;
    if (outcome === 'hung') s.hung++;
    bump(s.byEndpoint, entry.endpoint);
    bump(s.byKey, entry.key);
    bump(s.byStatus, String(entry.status));
    s.requests.push(entry);
    // Trim in chunks so a long run does not shift the array on every request.
    if (s.requests.length > MAX_RECORDS + 1000) s.requests.splice(0, s.requests.length - MAX_RECORDS);
  }

  snapshot(): MockStats {
    const s = this.#stats;
    const requests = s.requests.length > MAX_RECORDS ? s.requests.slice(-MAX_RECORDS) : s.requests.slice();
    return {
      ...s,
      byEndpoint: { ...s.byEndpoint },
      byKey: { ...s.byKey },
      byStatus: { ...s.byStatus },
      requests: requests.map((r) => ({ ...r })),
    };
  }

  reset(): void {
    this.#stats = StatsRecorder.#empty();
  }
}
