/**
 * Request counts and durations by method, route and status, kept in plain maps and rendered in the
 * Prometheus text format at scrape time. prom-client hashes a child's label set into a string on
 * every `inc()`/`observe()`; at tens of thousands of requests a second that cost more than the rest
 * of a cache hit, so the per-request path here only bumps numbers.
 */

interface RouteStats {
  method: string;
  route: string;
  byStatus: Map<number, number>;
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
function labelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (ch) => (ch === '\n' ? '\\n' : `\\${ch}`));
}

export class RequestMetrics {
  readonly #bounds: readonly number[];
  /** route -> method -> stats (route and method strings are the callers' constants: no key is built). */
  readonly #stats = new Map<string, Map<string, RouteStats>>();

  constructor(
    readonly names: { count: string; countHelp: string; duration: string; durationHelp: string },
    bounds: readonly number[],
  ) {
    this.#bounds = [...bounds].sort((a, b) => a - b);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.#stats.get(route);
    if (!byMethod) {
      byMethod = new Map();
      this.#stats.set(route, byMethod);
    }
    let s = byMethod.get(method);
    if (!s) {
      s = { method, route, byStatus: new Map(), buckets: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
      byMethod.set(method, s);
    }
    s.byStatus.set(status, (s.byStatus.get(status) ?? 0) + 1);
    let i = 0;
    while (i < this.#bounds.length && seconds > (this.#bounds[i] as number)) i++;
    s.buckets[i] = (s.buckets[i] ?? 0) + 1;
    s.sum += seconds;
    s.count++;
  }

  /** The two metric families in the Prometheus text format (0.0.4). */
  render(): string {
    const { count, countHelp, duration, durationHelp } = this.names;
    const counts: string[] = [`# HELP ${count} ${countHelp}`, `# TYPE ${count} counter`];
    const durations: string[] = [`# HELP ${duration} ${durationHelp}`, `# TYPE ${duration} histogram`];
    for (const byMethod of this.#stats.values()) {
      for (const s of byMethod.values()) {
        const labels = `method="${labelValue(s.method)}",route="${labelValue(s.route)}"`;
        for (const [status, n] of s.byStatus) counts.push(`${count}{${labels},status="${status}"} ${n}`);
        let cumulative = 0;
        this.#bounds.forEach((bound, i) => {
          cumulative += s.buckets[i] as number;
          durations.push(`${duration}_bucket{le="${bound}",${labels}} ${cumulative}`);
        });
        durations.push(`${duration}_bucket{le="+Inf",${labels}} ${s.count}`);
        durations.push(`${duration}_sum{${labels}} ${s.sum}`);
        durations.push(`${duration}_count{${labels}} ${s.count}`);
      }
    }
    return `${counts.join('\n')}\n\n${durations.join('\n')}\n`;
  }
}
