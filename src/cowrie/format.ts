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

/** Detections as `malicious/total` (VirusTotal), or the verdict when there is no count. */
function providerCell(p: ProviderVerdicts, name: keyof ProviderVerdicts): string {
  const v = p[name];
  if (!v) return '-';
  if (v.verdict === 'not_found') return 'not found';
  if (v.detections !== undefined && v.engines !== undefined) return `${v.detections}/${v.engines}`;
  return v.detections !== undefined ? `${v.verdict} (${v.detections})` : v.verdict;
}

function date(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().slice(0, 10);
}

function isNew(flag: boolean | null): string {
  return flag === null ? '' : flag ? 'new' : '';
}

const NOT_LOOKED_UP = 'not looked up';

export function toSummaryText(report: CowrieReport): string {
  const t = report.totals;
  const looked = report.lookedUp !== false;
  const out: string[] = [];
  out.push(`Cowrie enrichment report (generated ${iso(report.generatedAt)})${looked ? '' : ' (dry run: nothing looked up)'}`);
  out.push('');
  const idle = t.idleClosedSessions ? `, ${t.idleClosedSessions} without a close event (closed after being idle)` : '';
  const facts: Array<[string, string]> = [
    ['Period', `${iso(report.period.from)} .. ${iso(report.period.to)}`],
    ['Sessions', `${t.sessions} (${t.closedSessions} closed${idle}), ${t.events} events`],
    ['Attacker IPs', String(t.uniqueIps)],
    ['Logins', `${t.loginAttempts} attempts, ${t.loginSuccesses} successful`],
    ['Commands', `${t.commands} (${report.commands?.top.length ?? 0} most frequent below)`],
    ['Files', `${t.downloads} downloads, ${t.uploads} uploads, ${t.uniqueHashes} unique hashes, ${looked ? `${t.maliciousHashes} malicious` : NOT_LOOKED_UP}`],
    ['URLs', `${t.uniqueUrls} unique, ${t.uniqueHosts} hosts`],
  ];
  if (report.tunnels && report.tunnels.requests > 0) facts.push(['Proxy abuse', `${report.tunnels.requests} direct-tcpip requests in ${report.tunnels.sessions} sessions`]);
  if (report.input) {
    const i = report.input;
    facts.push([
      'Input',
      `${i.files} file(s), ${i.lines} lines, ${i.badLines} bad (${i.truncatedLines} truncated)${i.fileErrors ? `, ${i.fileErrors} unreadable file(s)` : ''}`,
    ]);
  }
  const width = Math.max(...facts.map(([k]) => k.length));
  for (const [k, v] of facts) out.push(`${k.padEnd(width)}  ${v}`);

  out.push('', `File hashes (${t.uniqueHashes} unique, ${looked ? `${t.maliciousHashes} malicious` : NOT_LOOKED_UP})`);
  if (report.hashes.length === 0) out.push('  none');
  else {
    out.push(
      ...table(
        ['SHA-256', 'verdict', 'VT detections', 'VT first seen', 'URLhaus', 'label', 'sessions', 'source IPs', 'names', ''],
        report.hashes.map((h) => [
          h.sha256,
          looked ? h.verdict : NOT_LOOKED_UP,
          looked ? providerCell(h.providers, 'virustotal') : '-',
          date(h.firstSubmissionAt ?? null),
          looked ? (h.providers.urlhaus ? (h.providers.urlhaus.verdict === 'not_found' ? 'not listed' : 'listed') : '-') : '-',
          clean(h.threatLabel ?? '-', 30),
          String(h.sessions),
          clean(sample(h.sourceIps ?? [], 3), 50),
          clean(h.names.join(',') || '-', 40),
          isNew(h.newSinceLastRun ?? null),
        ]),
      ),
    );
  }

  out.push('', `Dropper URLs (${report.urls.length})`);
  if (report.urls.length === 0) out.push('  none');
  else {
    out.push(
      ...table(
        ['URL', 'URLhaus status', 'verdict', 'VT detections', 'label', 'sessions', ''],
        report.urls.map((u) => [
          clean(u.url, 90),
          looked ? (u.urlhausStatus ?? '-') : NOT_LOOKED_UP,
          looked ? u.verdict : NOT_LOOKED_UP,
          looked ? providerCell(u.providers, 'virustotal') : '-',
          clean(u.threatLabel ?? '-', 30),
          String(u.sessions),
          isNew(u.newSinceLastRun ?? null),
        ]),
      ),
    );
  }

  out.push('', 'Top attacker IPs (by sessions)');
  if (report.topIps.length === 0) out.push('  none');
  else {
    out.push(
      ...table(
        ['IP', 'sessions', 'logins ok', 'cmds', 'files', 'ASN', 'AS organisation', 'country', 'SPUR tunnel', 'DShield reports/attacks', 'verdict', ''],
        report.topIps.map((ip) => [
          ip.ip,
          String(ip.sessions),
          String(ip.loginSuccesses),
          String(ip.commands),
          String(ip.downloads),
          ip.asn === null || ip.asn === undefined ? '-' : `AS${ip.asn}`,
          clean(ip.asOrg ?? '-', 30),
          clean(ip.country ?? '-', 4),
          clean(ip.tunnel ?? '-', 24),
          ip.dshield ? `${ip.dshield.count ?? 0}/${ip.dshield.attacks ?? 0}${ip.dshield.threatFeeds.length ? ` [${ip.dshield.threatFeeds.join(',')}]` : ''}` : '-',
          looked ? ip.verdict : NOT_LOOKED_UP,
          isNew(ip.newSinceLastRun ?? null),
        ]),
      ),
    );
  }

  if (report.commands) {
    out.push('', `Most frequent commands (${report.commands.total} in all)`);
    if (report.commands.top.length === 0) out.push('  none');
    else out.push(...table(['count', 'sessions', 'command'], report.commands.top.map((c) => [String(c.count), String(c.sessions), clean(c.command, 100)])));
  }
  if (report.clients && report.clients.length > 0) {
    out.push('', 'SSH clients');
    out.push(...table(['sessions', 'HASSH', 'version'], report.clients.map((c) => [String(c.sessions), c.hassh ?? '-', clean(c.version ?? '-', 60)])));
  }
  if (report.tunnels && report.tunnels.requests > 0) {
    out.push('', `Proxy abuse (direct-tcpip: ${report.tunnels.requests} requests, ${report.tunnels.sessions} sessions)`);
    out.push(...table(['requests', 'destination'], report.tunnels.topDestinations.map((d) => [String(d.count), clean(d.dst, 60)])));
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

function sample(values: readonly string[], n: number): string {
  if (values.length === 0) return '-';
  return values.length > n ? `${values.slice(0, n).join(',')} +${values.length - n}` : values.join(',');
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
  'permalink',
  'source_ips',
  'first_submission',
  'asn',
  'as_org',
  'country',
  'tunnel',
  'new_since_last_run',
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
      x.permalink,
      x.sourceIps.join(' '),
      x.firstSubmissionAt === null ? '' : iso(x.firstSubmissionAt),
      x.asn,
      x.asOrg,
      x.country,
      x.tunnel,
      x.newSinceLastRun === null ? '' : String(x.newSinceLastRun),
    ]
      .map(csvField)
      .join(','),
  );
  return `${[CSV_HEADER.join(','), ...rows].join('\r\n')}\r\n`;
}
