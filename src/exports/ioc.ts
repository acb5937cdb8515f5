/** Plain IOC lists: one value per line. With a kind filter, a bare list; otherwise a `# kind` section per kind. */
import type { IndicatorKind } from '../indicators/index.js';
import type { IndicatorRecord, SearchQuery } from '../store/index.js';

export async function* iocChunks(records: (q: SearchQuery) => AsyncIterable<IndicatorRecord>, query: SearchQuery): AsyncGenerator<string> {
  const kinds: IndicatorKind[] = query.kind ? [query.kind] : ['file', 'url', 'domain', 'ip'];
  for (const kind of kinds) {
    if (!query.kind) yield `# ${kind}\n`;
    let lines: string[] = [];
    for await (const r of records({ ...query, kind, sort: 'indicator', order: 'asc' })) {
      // newlines cannot occur in canonical values; strip them anyway so one line is one indicator
      lines.push(r.indicator.replace(/[\r\n]+/g, ''));
      if (lines.length >= 500) {
        yield `${lines.join('\n')}\n`;
        lines = [];
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (lines.length > 0) yield `${lines.join('\n')}\n`;
  }
}
