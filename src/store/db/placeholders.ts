/** `?` placeholders to PostgreSQL's `$1, $2, ...`, leaving quoted strings and identifiers alone. */
const cache = new Map<string, string>();

export function numberedPlaceholders(sql: string): string {
  let out = cache.get(sql);
  if (out !== undefined) return out;
  out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') out += `$${++n}`;
    else out += ch;
  }
  if (cache.size < 5000) cache.set(sql, out);
  return out;
}
