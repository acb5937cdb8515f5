/** One optional condition: its SQL fragment and its parameters, or `false` when the filter is absent. */
export type Condition = readonly [sql: string, ...params: unknown[]] | false | undefined;

/**
 * Joins the present conditions into a `WHERE ...` clause (or '') plus its parameters.
 * Fragments are fixed strings written in the repositories; only values travel as parameters.
 */
export function where(conditions: readonly Condition[]): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const c of conditions) {
    if (!c) continue;
    const [sql, ...values] = c;
    parts.push(sql);
    params.push(...values);
  }
  return { sql: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', params };
}

/** JSON text from a nullable column. */
export function parseJson<T = unknown>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
