/** The batch run's summary text: the report's text plus providers used or skipped, failures, dry-run costs. */
import { toSummaryText } from './format.js';
import type { CowrieEnrichResult, CowrieEnrichStats } from './pipeline-types.js';

function clean(text: string, max = 100): string {
  const t = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The report's summary text plus what the pipeline adds: providers used or skipped, failures, dry-run costs. */
export function enrichmentSummaryText(result: Pick<CowrieEnrichResult, 'report' | 'estimate'> & { stats?: CowrieEnrichStats }): string {
  const { report } = result;
  const out: string[] = [toSummaryText(report).trimEnd(), ''];
  out.push(report.dryRun ? 'Providers (dry run: nothing was looked up)' : 'Providers');
  for (const p of report.providers) {
    if (!p.enabled) out.push(`  ${p.provider}: skipped (${p.note ?? 'not configured'})`);
    else if (report.dryRun) {
      const e = result.estimate?.[p.provider];
      out.push(
        e
          ? `  ${p.provider}: ${e.upstream} upstream call(s) needed, ${e.cached} cached, ${e.inFlight} in flight` +
              (e.etaMs > 0 ? `, about ${Math.ceil(e.etaMs / 1000)} s at the current quota` : '')
          : `  ${p.provider}: nothing to look up`,
      );
    } else {
      out.push(`  ${p.provider}: ${p.lookups} lookup(s), ${p.upstreamCalls} upstream call(s), ${p.fromCache} from cache, ${p.failed} failed`);
    }
  }
  if (report.failures.length > 0) {
    out.push('', `Failed lookups (${report.failures.length})`);
    for (const f of report.failures.slice(0, 20)) out.push(`  ${f.provider} ${f.kind} ${clean(f.value, 90)}: ${f.code}: ${clean(f.message)}`);
    if (report.failures.length > 20) out.push(`  … and ${report.failures.length - 20} more`);
  }
  if (result.stats?.stateNote) out.push('', `State file ${result.stats.stateNote}`);
  return `${out.join('\n')}\n`;
}
