/** A store with N cached indicators (VirusTotal-like reports) and one history observation each, for bench/search and bench/export. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Report, Verdict } from '../../src/providers/types.js';
import { observationOf, Store } from '../../src/store/index.js';

const LABELS = ['trojan.mirai/gafgyt', 'trojan.emotet', 'ransomware.lockbit', 'virus.eicar/test', 'downloader.agent', null, null, null];
const TAGS = ['peexe', 'elf', 'upx', 'overlay', 'signed', 'macros'];
const KINDS = ['file', 'file', 'url', 'domain', 'ip'] as const;

function hex(n: number, bytes: number): string {
  return createHash('sha256').update(`bench-${n}`).digest('hex').slice(0, bytes * 2);
}

export function benchReport(n: number, t0: number): Report {
  const kind = KINDS[n % KINDS.length]!;
  const malicious = n % 7 === 0 ? 20 + (n % 40) : n % 5 === 0 ? 1 + (n % 3) : 0;
  const verdict: Verdict = malicious >= 3 ? 'malicious' : malicious > 0 ? 'suspicious' : n % 11 === 0 ? 'not_found' : 'undetected';
  const label = malicious ? LABELS[n % LABELS.length]! : null;
  const fetchedAt = t0 + n * 1000;
  let id: string;
  let indicator: string;
  let attributes: Record<string, unknown> = { tags: [TAGS[n % TAGS.length]], last_analysis_stats: { malicious, undetected: 70 - malicious } };
  if (kind === 'file') {
    id = hex(n, 32);
    indicator = id;
    attributes = { ...attributes, sha256: id, md5: hex(n, 16), sha1: hex(n, 20), names: [`sample-${n}.exe`, `invoice_${n % 1000}.pdf.exe`], meaningful_name: `sample-${n}.exe` };
  } else if (kind === 'url') {
    indicator = `http://host${n % 5000}.example/path/${n}`;
    id = createHash('sha256').update(indicator).digest('hex');
  } else if (kind === 'domain') {
    indicator = `d${n}.example.net`;
    id = indicator;
  } else {
    indicator = `198.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    id = indicator;
  }
  return { provider: 'virustotal', kind, id, indicator, found: verdict !== 'not_found', verdict, detections: malicious, engines: 70, threatLabel: label, reputation: 0, lastAnalysisAt: fetchedAt, firstSeenAt: fetchedAt, data: { type: kind, id, attributes }, fetchedAt };
}

/** Opens (creating when missing) a store with `count` indicators; returns it and the seconds spent filling it. */
export async function benchStore(dir: string, count: number, t0 = Date.UTC(2026, 0, 1)): Promise<{ store: Store; fillSeconds: number }> {
  const store = await Store.open({ file: join(dir, 'bench.sqlite') });
  const started = performance.now();
  if ((await store.cache.count()) < count) {
    const CHUNK = 5000;
    for (let from = 0; from < count; from += CHUNK) {
      const reports = Array.from({ length: Math.min(CHUNK, count - from) }, (_, i) => benchReport(from + i, t0));
      await store.cache.putMany(reports.map((report) => ({ report, expiresAt: report.fetchedAt + 86_400_000 })));
      await store.history.appendMany(reports.map(observationOf));
    }
  }
  return { store, fillSeconds: (performance.now() - started) / 1000 };
}
