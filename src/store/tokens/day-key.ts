/** The UTC calendar day of an epoch-ms time, as `YYYY-MM-DD` (the key for per-token daily budgets). */
export function utcDayKey(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
