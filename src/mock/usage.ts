/** Requests per UTC day and endpoint group for each key, behind `GET /users/{id}/api_usage`. */
export class UsageLog {
  readonly #byKey = new Map<string, Map<string, Map<string, number>>>();

  record(key: string, nowMs: number, group: string): void {
    const day = new Date(nowMs).toISOString().slice(0, 10);
    let days = this.#byKey.get(key);
    if (!days) {
      days = new Map();
      this.#byKey.set(key, days);
    }
    let groups = days.get(day);
    if (!groups) {
      groups = new Map();
      days.set(day, groups);
      if (days.size > 400) days.delete(days.keys().next().value as string);
    }
    groups.set(group, (groups.get(group) ?? 0) + 1);
  }

  /** Counts for one key and one `YYYY-MM-DD` day. */
  day(key: string, day: string): Record<string, number> {
    return Object.fromEntries(this.#byKey.get(key)?.get(day) ?? []);
  }

  reset(): void {
    this.#byKey.clear();
  }
}
