/** What the search index keeps from one cached Report: canonical id, aliases, names, tags, hashes and links. */
import { type IndicatorKind, tryParseIndicator } from '../../indicators/index.js';
import type { Report } from '../../providers/types.js';
import type { EdgeRecord, FileHashes, ProviderRecord } from './types.js';

const HASH = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/;
const MAX_NAMES = 20;

type Attrs = Record<string, unknown>;

function attrsOf(report: Report): Attrs {
  const data = report.data as { attributes?: unknown } | null | undefined;
  const a = data && typeof data === 'object' ? data.attributes : undefined;
  return a && typeof a === 'object' ? (a as Attrs) : {};
}

function hashAttr(a: Attrs, name: string): string | undefined {
  const v = a[name];
  return typeof v === 'string' && HASH.test(v.toLowerCase()) ? v.toLowerCase() : undefined;
}

export interface Derived {
  kind: IndicatorKind;
  canonicalId: string;
  indicator: string;
  aliases: string[];
  names: string[];
  tags: string[];
  hashes: FileHashes | null;
  edges: EdgeRecord[];
  record: ProviderRecord;
}

export function providerRecord(r: Report): ProviderRecord {
  return {
    provider: r.provider,
    found: r.found,
    verdict: r.verdict,
    detections: r.detections ?? r.stats?.malicious ?? null,
    engines: r.engines ?? r.stats?.engines ?? null,
    threatLabel: r.threatLabel ?? null,
    reputation: r.reputation ?? null,
    stats: r.stats ?? null,
    lastAnalysisAt: r.lastAnalysisAt ?? null,
    firstSeenAt: r.firstSeenAt ?? null,
    fetchedAt: r.fetchedAt,
  };
}

/** VirusTotal relationship names whose items are indicators, and the kind of their items. */
const VT_TYPES: Record<string, IndicatorKind> = { file: 'file', url: 'url', domain: 'domain', ip_address: 'ip' };

function node(kind: IndicatorKind, value: string): { kind: IndicatorKind; id: string; value: string } | null {
  const parsed = tryParseIndicator(value, { kind, allowPrivate: true });
  return parsed.ok ? { kind, id: parsed.indicator.id, value: parsed.indicator.value } : null;
}

function vtEdges(report: Report, self: { kind: IndicatorKind; id: string; value: string }, a: Attrs): EdgeRecord[] {
  const out: EdgeRecord[] = [];
  const at = report.fetchedAt;
  const add = (relation: string, dst: ReturnType<typeof node>, evidence: Record<string, unknown>) => {
    if (dst && !(dst.kind === self.kind && dst.id === self.id)) out.push({ src: self, dst, relation, evidence: { source: report.provider, ...evidence }, at });
  };
  const rels = (report.data as { relationships?: Record<string, { data?: unknown }> } | null)?.relationships;
  if (rels && typeof rels === 'object') {
    for (const [name, rel] of Object.entries(rels)) {
      const items = Array.isArray(rel?.data) ? rel.data : rel?.data ? [rel.data] : [];
      for (const item of items.slice(0, 100) as Array<{ type?: unknown; id?: unknown; context_attributes?: { url?: unknown } }>) {
        const kind = typeof item?.type === 'string' ? VT_TYPES[item.type] : undefined;
        if (!kind || typeof item.id !== 'string') continue;
        // a URL item's id is a hash of the URL: use the URL itself when VT gave it
        const value = kind === 'url' ? (typeof item.context_attributes?.url === 'string' ? item.context_attributes.url : null) : item.id;
        if (value) add(name, node(kind, value), { relationship: name });
      }
    }
  }
  if (report.kind === 'url') {
    try {
      const host = new URL(report.indicator).hostname.replace(/^\[|\]$/g, '');
      const ip = node('ip', host);
      add('url_host', ip ?? node('domain', host), { note: 'host of the URL' });
    } catch {
      // not a parseable URL: no host link
    }
    const served = hashAttr(a, 'last_http_response_content_sha256');
    if (served) add('serves', node('file', served), { attribute: 'last_http_response_content_sha256' });
  }
  if (report.kind === 'domain' && Array.isArray(a.last_dns_records)) {
    for (const r of (a.last_dns_records as Array<{ type?: unknown; value?: unknown }>).slice(0, 50)) {
      if ((r?.type === 'A' || r?.type === 'AAAA') && typeof r.value === 'string') add('resolves_to', node('ip', r.value), { attribute: 'last_dns_records', type: r.type });
    }
  }
  return out;
}

/** Derives the index data of one cached report. */
export function derive(report: Report): Derived {
  const a = attrsOf(report);
  let canonicalId = report.id;
  let indicator = report.indicator;
  const aliases: string[] = [];
  let hashes: FileHashes | null = null;
  const names: string[] = [];
  if (report.kind === 'file') {
    const md5 = hashAttr(a, 'md5');
    const sha1 = hashAttr(a, 'sha1');
    const sha256 = hashAttr(a, 'sha256');
    if (sha256) {
      canonicalId = sha256;
      indicator = sha256;
    }
    if (md5 || sha1 || sha256) hashes = { ...(md5 ? { md5 } : {}), ...(sha1 ? { sha1 } : {}), ...(sha256 ? { sha256 } : {}) };
    for (const h of [report.id, md5, sha1]) if (h && h !== canonicalId && !aliases.includes(h)) aliases.push(h);
    const seen = new Set<string>();
    const push = (v: unknown) => {
      if (typeof v === 'string' && v !== '' && v.length < 512 && !seen.has(v) && names.length < MAX_NAMES) {
        seen.add(v);
        names.push(v);
      }
    };
    push(a.meaningful_name);
    if (Array.isArray(a.names)) for (const n of a.names) push(n);
  }
  const tags = Array.isArray(a.tags) ? [...new Set((a.tags as unknown[]).filter((t): t is string => typeof t === 'string' && t !== '' && t.length < 100))].slice(0, 50) : [];
  const self = { kind: report.kind, id: canonicalId, value: indicator };
  return { kind: report.kind, canonicalId, indicator, aliases, names, tags, hashes, edges: vtEdges(report, self, a), record: providerRecord(report) };
}

