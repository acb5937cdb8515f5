/**
 * Output formats of the Cowrie report: aligned text for people, JSON, NDJSON (one record per
 * session), CSV (one row per indicator). Attacker-controlled text is neutralised where it could
 * act (control characters in the terminal, formulas in spreadsheets).
 */
import type { CowrieReport, ProviderVerdicts } from './report.js';

function iso(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Attacker text for a terminal: no control characters, bounded length. */
function clean(text: string, max = 80): string {
  const t = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function table(headers: string[], rows: string[][], indent = '  '): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

function providerCell(p: ProviderVerdicts, name: keyof ProviderVerdicts): string {
  const v = p[name];
  if (!v) return '-';
  return v.detections !== undefined && v.verdict !== 'not_found' ? `${v.verdict} (${v.detections})` : v.verdict;
}

export function toSummaryText(report: CowrieReport): string {
  const t = report.totals;
  const out: string[] = [];
  out.push(`Cowrie enrichment report (generated ${iso(report.generatedAt)})`);
  out.push('');
  const facts: Array<[string, string]> = [
    ['Period', `${iso(report.period.from)} .. ${iso(report.period.to)}`],
    ['Sessions', `${t.sessions} (${t.closedSessions} closed), ${t.events} events`],
    ['Attacker IPs', String(t.uniqueIps)],
    ['Logins', `${t.loginAttempts} attempts, ${t.loginSuccesses} successful`],
    ['Commands', String(t.commands)],
    ['Files', `${t.downloads} downloads, ${t.uploads} uploads, ${t.uniqueHashes} unique hashes, ${t.maliciousHashes} malicious`],
    ['URLs', `${t.uniqueUrls} unique, ${t.uniqueHosts} hosts`],
  ];
  if (report.input) {
    const i = report.input;
    facts.push([
      'Input',
      `${i.files} file(s), ${i.lines} lines, ${i.badLines} bad (${i.truncatedLines} truncated)${i.fileErrors ? `, ${i.fileErrors} unreadable file(s)` : ''}`,
    ]);
  }
  const width = Math.max(...facts.map(([k]) => k.length));
  for (const [k, v] of facts) out.push(`${k.padEnd(width)}  ${v}`);

  out.push('', `File hashes (${t.uniqueHashes} unique, ${t.maliciousHashes} malicious)`);
  if (report.hashes.length === 0) out.push('  none');
  else {
    out.push(
      ...table(
        ['SHA-256', 'verdict', 'VirusTotal', 'URLhaus', 'label', 'sessions', 'events', 'names'],
        report.hashes.map((h) => [
          h.sha256,
          h.verdict,
          providerCell(h.providers, 'virustotal'),
          providerCell(h.providers, 'urlhaus'),
          clean(h.threatLabel ?? '-', 30),
          String(h.sessions),
          String(h.events),
          clean(h.names.join(',') || '-', 40),
        ]),
      ),
    );
  }

  out.push('', `Dropper URLs (${report.urls.length})`);
  if (report.urls.length === 0) out.push('  none');
  else {
    out.push(
      ...table(
        ['URL', 'URLhaus', 'verdict', 'label', 'sessions'],
        report.urls.map((u) => [clean(u.url, 90), u.urlhausStatus ?? '-', u.verdict, clean(u.threatLabel ?? '-', 30), String(u.sessions)]),
      ),
    );
  }

  out.push('', 'Top attacker IPs (by sessions)');
  if (report.topIps.length === 0) out.push('  none');
  else {
    out.push(
      ...table(
        ['IP', 'sessions', 'logins ok', 'cmds', 'files', 'DShield reports/attacks', 'SPUR', 'verdict'],
        report.topIps.map((ip) => [
          ip.ip,
          String(ip.sessions),
          String(ip.loginSuccesses),
          String(ip.commands),
          String(ip.downloads),
          ip.dshield ? `${ip.dshield.count ?? 0}/${ip.dshield.attacks ?? 0}${ip.dshield.threatFeeds.length ? ` [${ip.dshield.threatFeeds.join(',')}]` : ''}` : '-',
          ip.spur ? clean(spurText(ip.spur), 40) : '-',
          ip.verdict,
        ]),
      ),
    );
  }

  const l = report.logins;
  out.push('', `Credentials (${l.attempts} attempts, ${l.successes} successful)`);
  if (l.topPairs.length === 0) out.push('  none');
  else {
    const rows = Math.max(l.topUsernames.length, l.topPasswords.length, l.topPairs.length);
    out.push(
      ...table(
        ['username', 'n', 'password', 'n', 'pair', 'n'],
        Array.from({ length: rows }, (_, i) => [
          l.topUsernames[i]?.value === '' ? '(empty)' : clean(l.topUsernames[i]?.value ?? '', 24),
          l.topUsernames[i] ? String(l.topUsernames[i]?.count) : '',
          l.topPasswords[i]?.value === '' ? '(empty)' : clean(l.topPasswords[i]?.value ?? '', 24),
          l.topPasswords[i] ? String(l.topPasswords[i]?.count) : '',
          clean(l.topPairs[i]?.value ?? '', 40),
          l.topPairs[i] ? String(l.topPairs[i]?.count) : '',
        ]),
      ),
    );
  }

  if (report.input && (report.input.badLines > 0 || Object.keys(report.input.unknownEvents).length > 0)) {
    out.push('', 'Input problems');
    for (const b of report.input.badLineSamples.slice(0, 10)) out.push(`  ${b.file}:${b.line} ${b.reason}: ${clean(b.preview, 60)}`);
    for (const [id, n] of Object.entries(report.input.unknownEvents)) out.push(`  unknown event id ${clean(id, 60)}: ${n} (kept)`);
  }
  if (report.skipped && (report.skipped.emptyHashes || report.skipped.emptyFileHashes || report.skipped.localPathUrls)) {
    const s = report.skipped;
    out.push(
      '',
      `Skipped: ${s.emptyHashes} empty shasum, ${s.emptyFileHashes} empty-file hash (e3b0c442…), ${s.localPathUrls} local-path url, ${s.refused} private/invalid`,
    );
  }
  return `${out.join('\n')}\n`;
}

function spurText(s: NonNullable<CowrieReport['topIps'][number]['spur']>): string {
  const parts = [s.infrastructure, ...s.tunnelOperators, ...s.risks.filter((r) => r !== 'TUNNEL')].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : s.organization ?? 'clean';
}

/** The whole report as JSON (per-session records only when asked: they can be many). */
export function toJson(report: CowrieReport, options: { sessions?: boolean } = {}): string {
  const { sessions, ...rest } = report;
  return `${JSON.stringify(options.sessions ? report : rest, null, 2)}\n`;
}

/** One JSON line per session, with its indicators' verdicts. */
export function toNdjson(report: CowrieReport): string {
  return report.sessions.map((s) => JSON.stringify(s)).join('\n') + (report.sessions.length ? '\n' : '');
}

/** A CSV field: quoted when needed; a leading = + - @ is defused so spreadsheets do not run it. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_HEADER = [
  'kind',
  'value',
  'id',
  'sessions',
  'events',
  'roles',
  'first_seen',
  'last_seen',
  'verdict',
  'virustotal',
  'urlhaus',
  'dshield',
  'spur',
  'threat_label',
  'names',
];

/** One row per indicator. */
export function toCsv(report: CowrieReport): string {
  const rows = report.indicators.map((x) =>
    [
      x.kind,
      x.value,
      x.id,
      x.sessions,
      x.events,
      x.roles.join(' '),
      x.firstSeenAt === null ? '' : iso(x.firstSeenAt),
      x.lastSeenAt === null ? '' : iso(x.lastSeenAt),
      x.verdict,
      x.providers.virustotal?.verdict,
      x.providers.urlhaus?.verdict,
      x.providers.dshield?.verdict,
      x.providers.spur?.verdict,
      x.threatLabel,
      x.names.join(' '),
    ]
      .map(csvField)
      .join(','),
  );
  return `${[CSV_HEADER.join(','), ...rows].join('\r\n')}\r\n`;
}
