/**
 * STIX 2.1 bundle, streamed object by object: SCOs with deterministic ids (§2.9), an `indicator` per
 * indicator (pattern, valid_from, confidence, VirusTotal external reference), a `malware` family per
 * threat label with `indicates`, a `sighting` of each indicator from history, relationships from the
 * correlation edges, and the producer `identity`. Derived SDO/SRO ids are UUIDv5 in our own namespace,
 * so the same export twice gives the same ids (feeds update objects instead of duplicating them).
 */
import type { EdgeRecord, IndicatorRecord } from '../store/index.js';
import type { IndicatorKind } from '../indicators/index.js';
import { canonicalJson, randomUUID, STIX_SCO_NAMESPACE, uuidv5, VTG_NAMESPACE } from './ids.js';

type StixObject = Record<string, unknown> & { type: string; id: string };

const ts = (ms: number) => new Date(ms).toISOString();

/** A pattern string constant: `\` and `'` escaped (§9.2). */
function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const HASH_NAME: Record<number, string> = { 32: 'MD5', 40: 'SHA-1', 64: 'SHA-256' };

function fileHashes(kind: IndicatorKind, id: string, hashes: IndicatorRecord['hashes']): Record<string, string> {
  const out: Record<string, string> = {};
  if (hashes?.md5) out.MD5 = hashes.md5;
  if (hashes?.sha1) out['SHA-1'] = hashes.sha1;
  if (hashes?.sha256) out['SHA-256'] = hashes.sha256;
  const name = HASH_NAME[id.length];
  if (kind === 'file' && name && !out[name]) out[name] = id;
  return out;
}

/** The SCO for an indicator, with its deterministic id. */
export function scoOf(kind: IndicatorKind, id: string, value: string, hashes: IndicatorRecord['hashes'] = null): StixObject {
  if (kind === 'file') {
    const all = fileHashes(kind, id, hashes);
    // id contributing property: one hash, in the order MD5, SHA-1, SHA-256, SHA-512 (§6.7.1)
    const pick = (['MD5', 'SHA-1', 'SHA-256'] as const).find((h) => all[h]);
    const name = pick ? { hashes: { [pick]: all[pick] } } : { hashes: all };
    return { type: 'file', spec_version: '2.1', id: `file--${uuidv5(STIX_SCO_NAMESPACE, canonicalJson(name))}`, hashes: all };
  }
  const type = kind === 'url' ? 'url' : kind === 'domain' ? 'domain-name' : value.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
  return { type, spec_version: '2.1', id: `${type}--${uuidv5(STIX_SCO_NAMESPACE, canonicalJson({ value }))}`, value };
}

export function patternOf(sco: StixObject): string {
  if (sco.type === 'file') {
    const hashes = sco.hashes as Record<string, string>;
    const parts = Object.entries(hashes).map(([k, v]) => `file:hashes.${k === 'MD5' ? 'MD5' : `'${k}'`} = ${quote(v)}`);
    return `[${parts.join(' OR ')}]`;
  }
  return `[${sco.type}:value = ${quote(String(sco.value))}]`;
}

/** STIX Appendix A bands (None/Low/Med/High = 0/15/50/85) from the detection count. */
export function confidenceOf(r: IndicatorRecord): number {
  if (r.verdict === 'malicious' || r.verdict === 'suspicious') return r.detections >= 10 ? 85 : r.detections >= 3 ? 50 : 15;
  if (r.verdict === 'harmless' || r.verdict === 'undetected') return r.engines && r.engines >= 10 ? 50 : 15;
  return 0;
}

function indicatorTypes(r: IndicatorRecord): string[] {
  if (r.verdict === 'malicious') return ['malicious-activity'];
  if (r.verdict === 'suspicious') return ['anomalous-activity'];
  if (r.verdict === 'harmless' || r.verdict === 'undetected') return ['benign'];
  return ['unknown'];
}

const RELATIONSHIP_TYPE: Record<string, string> = {
  contacted_ips: 'communicates-with',
  contacted_domains: 'communicates-with',
  contacted_urls: 'communicates-with',
  dropped_files: 'drops',
  downloaded_files: 'downloads',
  serves: 'downloads',
  cowrie_download: 'downloads',
  cowrie_fetched: 'downloads',
  resolves_to: 'resolves-to',
  url_host: 'related-to',
};

export function relationshipType(relation: string): string {
  return RELATIONSHIP_TYPE[relation] ?? (relation.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'related-to');
}

function evidenceText(e: EdgeRecord): string {
  return Object.entries(e.evidence)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('; ');
}

export interface StixContext {
  producer: string;
  now: number;
  edges: (r: IndicatorRecord) => Promise<EdgeRecord[]>;
  /** A file's known hashes (so a neighbour's SCO id matches the one its own record would get). */
  hashes: (kind: IndicatorKind, id: string) => Promise<IndicatorRecord['hashes']>;
}

/** The bundle as a stream of text chunks. */
export async function* stixChunks(records: AsyncIterable<IndicatorRecord>, ctx: StixContext): AsyncGenerator<string> {
  const identity: StixObject = {
    type: 'identity',
    spec_version: '2.1',
    id: `identity--${uuidv5(VTG_NAMESPACE, `identity|${ctx.producer}`)}`,
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    name: ctx.producer,
    identity_class: 'system',
    description: 'vt-gateway: VirusTotal, URLhaus, DShield and SPUR answers from its cache and history',
  };
  const createdBy = identity.id;
  yield `{"type":"bundle","id":"bundle--${randomUUID()}","objects":[\n${JSON.stringify(identity)}`;
  const emitted = new Set<string>();
  const malware = new Set<string>();
  const relations = new Set<string>();
  const emit = function* (o: StixObject): Generator<string> {
    yield `,\n${JSON.stringify(o)}`;
  };
  let n = 0;
  for await (const r of records) {
    const sco = scoOf(r.kind, r.id, r.indicator, r.hashes);
    if (!emitted.has(sco.id)) {
      emitted.add(sco.id);
      yield* emit(sco);
    }
    const created = ts(r.firstSeen);
    const modified = ts(Math.max(r.firstSeen, r.lastSeen));
    const indicatorId = `indicator--${uuidv5(VTG_NAMESPACE, `indicator|${sco.id}`)}`;
    const ratio = r.engines ? `${r.detections}/${r.engines}` : `${r.detections}`;
    const indicator: StixObject = {
      type: 'indicator',
      spec_version: '2.1',
      id: indicatorId,
      created_by_ref: createdBy,
      created,
      modified,
      name: `${r.kind} ${r.indicator}`.slice(0, 1000),
      description: `verdict ${r.verdict}, detections ${ratio}${r.threatLabel ? `, threat label ${r.threatLabel}` : ''}; providers: ${r.providers.map((p) => `${p.provider} ${p.verdict}`).join(', ')}`,
      indicator_types: indicatorTypes(r),
      pattern: patternOf(sco),
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: created,
      confidence: confidenceOf(r),
      ...(r.tags.length > 0 ? { labels: r.tags } : {}),
      ...(r.permalink ? { external_references: [{ source_name: 'VirusTotal', url: r.permalink, description: `detection ratio ${ratio}` }] } : {}),
    };
    yield* emit(indicator);
    if (r.threatLabel && (r.verdict === 'malicious' || r.verdict === 'suspicious')) {
      const malwareId = `malware--${uuidv5(VTG_NAMESPACE, `malware|${r.threatLabel}`)}`;
      if (!malware.has(malwareId)) {
        malware.add(malwareId);
        yield* emit({ type: 'malware', spec_version: '2.1', id: malwareId, created_by_ref: createdBy, created, modified: created, name: r.threatLabel, is_family: true });
      }
      yield* emit({ type: 'relationship', spec_version: '2.1', id: `relationship--${uuidv5(VTG_NAMESPACE, `indicates|${indicatorId}|${malwareId}`)}`, created_by_ref: createdBy, created, modified: created, relationship_type: 'indicates', source_ref: indicatorId, target_ref: malwareId });
    }
    if (r.observations > 0) {
      yield* emit({
        type: 'sighting',
        spec_version: '2.1',
        id: `sighting--${uuidv5(VTG_NAMESPACE, `sighting|${indicatorId}`)}`,
        created_by_ref: createdBy,
        created,
        modified,
        first_seen: created,
        last_seen: modified,
        count: Math.min(r.observations, 999_999_999),
        sighting_of_ref: indicatorId,
        where_sighted_refs: [createdBy],
      });
    }
    // links out of and into this indicator; the other end is emitted as an SCO when it is not yet in the bundle
    for (const e of await ctx.edges(r)) {
      const outgoing = e.src.kind === r.kind && e.src.id === r.id;
      const other = outgoing ? e.dst : e.src;
      const neighbour = scoOf(other.kind, other.id, other.value, other.kind === 'file' ? await ctx.hashes(other.kind, other.id) : null);
      const [from, to] = outgoing ? [sco, neighbour] : [neighbour, sco];
      const relId = `relationship--${uuidv5(VTG_NAMESPACE, `${e.relation}|${from.id}|${to.id}`)}`;
      if (relations.has(relId)) continue;
      relations.add(relId);
      if (!emitted.has(neighbour.id)) {
        emitted.add(neighbour.id);
        yield* emit(neighbour);
      }
      const at = ts(e.at);
      yield* emit({
        type: 'relationship',
        spec_version: '2.1',
        id: relId,
        created_by_ref: createdBy,
        created: at,
        modified: at,
        relationship_type: relationshipType(e.relation),
        description: `${e.relation} (${evidenceText(e)})`.slice(0, 2000),
        source_ref: from.id,
        target_ref: to.id,
      });
    }
    if (++n % 200 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  yield '\n]}\n';
}
