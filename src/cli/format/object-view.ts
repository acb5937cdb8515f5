/**
 * The detail view of `vtg file|url|domain|ip`: what an analyst reads in vt-cli's YAML, as aligned
 * lines: verdict and counts, the object's own facts (names, type, size; WHOIS, DNS, ASN,
 * certificate), first/last seen, the engines that detected it, and the permalink. Sections whose
 * attributes were filtered out (-i/-x) are left out.
 */
import type { Paint } from './color.js';
import { paintVerdict } from './color.js';
import { keyValueLines } from './output.js';
import { isoTime } from './time.js';

export interface ObjectDoc {
  kind: 'file' | 'url' | 'domain' | 'ip';
  /** The object's VirusTotal id (a file's SHA-256 once known). */
  id: string;
  /** What the user typed, canonicalised (a URL rather than its id). */
  indicator: string;
  found: boolean;
  verdict: string;
  permalink: string;
  source: string;
  stale: boolean;
  fetchedAt: number;
  simulated?: true;
  /** The VirusTotal object (`type`, `id`, `links`), with the selected attributes. */
  type?: string;
  links?: unknown;
  attributes: Record<string, unknown>;
}

type Attrs = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Attrs | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Attrs) : undefined);
const list = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);
const date = (sec: unknown): string | undefined => (num(sec) === undefined ? undefined : isoTime((sec as number) * 1000));

function bytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]} (${n} bytes)`;
}

function statsText(stats: Attrs, paint: Paint, verdict: string): string {
  const n = (k: string) => num(stats[k]) ?? 0;
  const engines = Object.values(stats).reduce<number>((s, v) => s + (num(v) ?? 0), 0);
  const rest = ['harmless', 'undetected', 'type-unsupported', 'timeout', 'confirmed-timeout', 'failure'].filter((k) => n(k) > 0).map((k) => `${n(k)} ${k}`);
  return `${paintVerdict(paint, verdict)}  ${n('malicious')} malicious, ${n('suspicious')} suspicious of ${engines} engines${rest.length ? ` (${rest.join(', ')})` : ''}`;
}

function countsText(entries: unknown): string | undefined {
  const items = list(entries)?.map(obj).filter((e): e is Attrs => !!e && str(e.value) !== undefined);
  return items?.length ? items.map((e) => `${e.value} (${num(e.count) ?? 0})`).join(', ') : undefined;
}

/** `Key: value` lines of a raw WHOIS text, keeping the ones an analyst reads first. */
const WHOIS_KEYS = /^(registrar|creation date|created|registry expiry date|expir\w* date|updated date|registrant (country|organization)|name server|orgname|org-name|netrange|cidr|country|descr)$/i;
export function whoisSummary(text: string, max = 8): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^:]{2,40}):\s*(\S.*)$/.exec(line);
    if (!m || !WHOIS_KEYS.test((m[1] as string).trim())) continue;
    const entry = `${(m[1] as string).trim()}: ${(m[2] as string).trim()}`;
    if (seen.has(entry.toLowerCase())) continue;
    seen.add(entry.toLowerCase());
    out.push(entry);
    if (out.length >= max) break;
  }
  return out;
}

function certificateLines(cert: Attrs, certDate: unknown): Array<[string, string]> {
  const name = (v: unknown) => {
    const o = obj(v);
    return o ? [str(o.CN), str(o.O), str(o.C)].filter(Boolean).join(', ') : undefined;
  };
  const validity = obj(cert.validity);
  const sans = list(obj(cert.extensions)?.subject_alternative_name)?.filter((s): s is string => typeof s === 'string');
  const out: Array<[string, string]> = [];
  const subject = name(cert.subject);
  if (subject) out.push(['cert subject', subject]);
  const issuer = name(cert.issuer);
  if (issuer) out.push(['cert issuer', issuer]);
  if (validity) out.push(['cert valid', `${str(validity.not_before) ?? '?'} to ${str(validity.not_after) ?? '?'} UTC`]);
  if (sans?.length) out.push(['cert names', sans.slice(0, 6).join(', ') + (sans.length > 6 ? ` (+${sans.length - 6})` : '')]);
  const thumb = str(cert.thumbprint_sha256);
  if (thumb) out.push(['cert sha256', thumb]);
  const seen = date(certDate);
  if (seen) out.push(['cert seen', seen]);
  return out;
}

function categoriesText(v: unknown): string | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const values = [...new Set(Object.values(o).filter((x): x is string => typeof x === 'string'))];
  return values.length ? values.join(', ') : undefined;
}

function kindLines(doc: ObjectDoc, a: Attrs): Array<[string, string]> {
  const pairs: Array<[string, string | undefined]> = [];
  if (doc.kind === 'file') {
    const ptc = obj(a.popular_threat_classification);
    pairs.push(
      ['threat label', str(ptc?.suggested_threat_label)],
      ['threat category', countsText(ptc?.popular_threat_category)],
      ['threat names', countsText(ptc?.popular_threat_name)],
      ['name', str(a.meaningful_name)],
      ['names', list(a.names)?.filter((n) => typeof n === 'string').slice(0, 10).join(', ') || undefined],
      ['type', [str(a.type_description), str(a.type_tag) && `(${a.type_tag})`].filter(Boolean).join(' ') || undefined],
      ['size', num(a.size) === undefined ? undefined : bytes(a.size as number)],
      ['magic', str(a.magic)],
      ['md5', str(a.md5)],
      ['sha1', str(a.sha1)],
      ['sha256', str(a.sha256)],
      ['first seen', date(a.first_submission_date)],
      ['last seen', date(a.last_submission_date)],
      ['submissions', num(a.times_submitted) === undefined ? undefined : String(a.times_submitted)],
    );
  } else if (doc.kind === 'url') {
    pairs.push(
      ['url', str(a.url)],
      ['final url', str(a.last_final_url) !== str(a.url) ? str(a.last_final_url) : undefined],
      ['title', str(a.title)],
      ['http status', num(a.last_http_response_code) === undefined ? undefined : String(a.last_http_response_code)],
      ['threat names', list(a.threat_names)?.join(', ') || undefined],
      ['categories', categoriesText(a.categories)],
      ['first seen', date(a.first_submission_date)],
      ['last seen', date(a.last_submission_date)],
    );
  } else {
    pairs.push(
      ['asn', num(a.asn) === undefined ? undefined : `AS${a.asn}${str(a.as_owner) ? ` ${a.as_owner}` : ''}`],
      ['country', [str(a.country), str(a.continent) && `(${a.continent})`].filter(Boolean).join(' ') || undefined],
      ['network', [str(a.network), str(a.regional_internet_registry)].filter(Boolean).join(', ') || undefined],
      ['registrar', str(a.registrar)],
      ['created', date(a.creation_date)],
      ['categories', categoriesText(a.categories)],
    );
    const whois = str(a.whois);
    const whoisDate = date(a.whois_date);
    if (whois) for (const [i, l] of whoisSummary(whois).entries()) pairs.push([i === 0 ? `whois${whoisDate ? ` (${whoisDate})` : ''}` : '', l]);
    for (const r of list(a.last_dns_records) ?? []) {
      const rec = obj(r);
      if (!rec) continue;
      const extra = num(rec.priority) === undefined ? '' : ` (priority ${rec.priority})`;
      pairs.push([`dns ${str(rec.type) ?? '?'}`, `${str(rec.value) ?? ''}${extra}${num(rec.ttl) === undefined ? '' : `  ttl ${rec.ttl}`}`]);
    }
    const cert = obj(a.last_https_certificate);
    if (cert) pairs.push(...certificateLines(cert, a.last_https_certificate_date));
  }
  return pairs.filter((p): p is [string, string] => p[1] !== undefined && p[1] !== '');
}

/** Engines that flagged the object (every engine with `all`), as `engine  category  result` lines. */
function engineLines(results: Attrs, paint: Paint, all: boolean): string[] {
  const rows = Object.entries(results)
    .map(([key, r]) => ({ engine: str(obj(r)?.engine_name) ?? key, category: str(obj(r)?.category) ?? '', result: str(obj(r)?.result) ?? '' }))
    .filter((r) => all || r.category === 'malicious' || r.category === 'suspicious')
    .sort((x, y) => rank(x.category) - rank(y.category) || x.engine.localeCompare(y.engine));
  if (rows.length === 0) return [];
  const width = Math.max(6, ...rows.map((r) => r.engine.length));
  const header = `  ${paint('bold', 'ENGINE'.padEnd(width))}  ${paint('bold', 'CATEGORY'.padEnd(16))}  ${paint('bold', 'RESULT')}`;
  return [header, ...rows.map((r) => `  ${r.engine.padEnd(width)}  ${paintVerdict(paint, r.category)}${' '.repeat(Math.max(0, 16 - r.category.length))}  ${r.result}`.trimEnd())];
}

const ORDER = ['malicious', 'suspicious', 'harmless', 'undetected', 'type-unsupported', 'timeout', 'confirmed-timeout', 'failure'];
function rank(category: string): number {
  const i = ORDER.indexOf(category);
  return i < 0 ? ORDER.length : i;
}

export function objectViewLines(doc: ObjectDoc, paint: Paint, options: { allEngines?: boolean; sourceText: string }): string[] {
  const head = `${paint('bold', doc.kind)} ${doc.indicator}${doc.simulated ? paint('dim', ' (simulated)') : ''}`;
  if (!doc.found) {
    return [head, ...keyValueLines([['verdict', paint('dim', 'not_found')], ['source', options.sourceText], ['permalink', doc.permalink]], paint).map((l) => `  ${l}`)];
  }
  const a = doc.attributes;
  const pairs: Array<[string, string]> = [];
  const stats = obj(a.last_analysis_stats);
  if (stats) pairs.push(['verdict', statsText(stats, paint, doc.verdict)]);
  if (num(a.reputation) !== undefined) pairs.push(['reputation', String(a.reputation)]);
  pairs.push(...kindLines(doc, a));
  const tags = list(a.tags)?.filter((t) => typeof t === 'string');
  if (tags?.length) pairs.push(['tags', tags.join(', ')]);
  const analysed = date(a.last_analysis_date);
  if (analysed) pairs.push(['last analysis', analysed]);
  pairs.push(['source', options.sourceText], ['permalink', doc.permalink]);
  const lines = [head, ...keyValueLines(pairs, paint).map((l) => `  ${l}`)];
  const results = obj(a.last_analysis_results);
  if (results) {
    const engines = engineLines(results, paint, options.allEngines === true);
    if (engines.length > 0) lines.push(`  ${paint('dim', options.allEngines ? 'engines' : 'engines that detected it (--all-engines for every engine)')}`, ...engines);
    else if (Object.keys(results).length > 0) lines.push(`  ${paint('dim', `no engine detected it (${Object.keys(results).length} engines; --all-engines lists them)`)}`);
  }
  return lines;
}
