/**
 * MISP event JSON (MISP core format), streamed object by object: a `file`, `url` or `domain-ip` object
 * per indicator, a `virustotal-report` object (permalink, detection ratio) linked to it with
 * `analysed-with`, verdict and threat-label tags on the main attribute, and `related-to`-style
 * references for correlation edges between exported indicators. Feed style: no instance-local ids.
 */
import type { EdgeRecord, IndicatorRecord } from '../store/index.js';
import type { IndicatorKind } from '../indicators/index.js';
import { randomUUID, uuidv5, VTG_NAMESPACE } from './ids.js';

/** Template identities (misp-objects @ 54538c6). */
export const MISP_TEMPLATES = {
  file: { uuid: '688c46fb-5edb-40a3-8273-1af7923e2215', version: '25', metaCategory: 'file', description: 'File object describing a file with meta-information' },
  url: { uuid: '60efb77b-40b5-4c46-871b-ed1ed999fce5', version: '10', metaCategory: 'network', description: 'url object describes an url along with its normalized field (like extracted using faup parsing library) and its metadata.' },
  'domain-ip': { uuid: '43b3b146-77eb-4931-b4cc-b66c60f28734', version: '11', metaCategory: 'network', description: 'A domain/hostname and IP address seen as a tuple in a specific time frame.' },
  'virustotal-report': { uuid: 'd7dd0154-e04f-4c34-a2fb-79f3a3a52aa4', version: '5', metaCategory: 'misc', description: 'VirusTotal report' },
} as const;

type TemplateName = keyof typeof MISP_TEMPLATES;

interface MispAttribute {
  uuid: string;
  object_relation: string;
  type: string;
  category: string;
  to_ids: boolean;
  distribution: string;
  timestamp: string;
  deleted: boolean;
  disable_correlation: boolean;
  value: string;
  comment?: string;
  Tag?: Array<{ name: string; colour: string; exportable: boolean }>;
}

const secs = (ms: number) => String(Math.floor(ms / 1000));
const uuidOf = (...parts: string[]) => uuidv5(VTG_NAMESPACE, `misp|${parts.join('|')}`);

const TAG_COLOUR: Record<string, string> = { malicious: '#cc0033', suspicious: '#ff9900', harmless: '#339900', undetected: '#669966', unknown: '#999999', not_found: '#999999' };

function tagsOf(r: IndicatorRecord): MispAttribute['Tag'] {
  const tags = [{ name: `vt-gateway:verdict="${r.verdict}"`, colour: TAG_COLOUR[r.verdict] ?? '#999999', exportable: true }];
  if (r.threatLabel) tags.push({ name: `vt-gateway:threat-label="${r.threatLabel.replace(/"/g, "'")}"`, colour: '#660066', exportable: true });
  return tags;
}

function attribute(owner: string, relation: string, type: string, category: string, value: string, at: number, extra: Partial<MispAttribute> = {}): MispAttribute {
  return { uuid: uuidOf(owner, relation, value), object_relation: relation, type, category, to_ids: false, distribution: '5', timestamp: secs(at), deleted: false, disable_correlation: false, value, ...extra };
}

function object(name: TemplateName, uuid: string, at: number, attributes: MispAttribute[], refs: unknown[] = [], comment?: string): Record<string, unknown> {
  const t = MISP_TEMPLATES[name];
  return {
    uuid,
    name,
    'meta-category': t.metaCategory,
    description: t.description,
    template_uuid: t.uuid,
    template_version: t.version,
    timestamp: secs(at),
    distribution: '5',
    sharing_group_id: '0',
    deleted: false,
    ...(comment ? { comment } : {}),
    Attribute: attributes,
    ObjectReference: refs,
  };
}

export function mispObjectUuid(kind: IndicatorKind, id: string): string {
  return uuidOf('object', kind, id);
}

function mainObject(r: IndicatorRecord, refs: unknown[]): Record<string, unknown> {
  const uuid = mispObjectUuid(r.kind, r.id);
  const at = r.lastSeen;
  const actionable = r.verdict === 'malicious' || r.verdict === 'suspicious';
  const main = { to_ids: actionable, Tag: tagsOf(r) };
  const attrs: MispAttribute[] = [];
  if (r.kind === 'file') {
    const hashes = { ...(r.hashes ?? {}) } as Record<string, string>;
    if (Object.keys(hashes).length === 0) hashes[r.id.length === 32 ? 'md5' : r.id.length === 40 ? 'sha1' : 'sha256'] = r.id;
    for (const h of ['md5', 'sha1', 'sha256']) if (hashes[h]) attrs.push(attribute(uuid, h, h, 'Payload delivery', hashes[h]!, at, main));
    for (const name of r.names.slice(0, 10)) attrs.push(attribute(uuid, 'filename', 'filename', 'Payload delivery', name, at));
    return object('file', uuid, at, attrs, refs);
  }
  if (r.kind === 'url') {
    attrs.push(attribute(uuid, 'url', 'url', 'Network activity', r.indicator, at, main));
    try {
      const u = new URL(r.indicator);
      const host = u.hostname.replace(/^\[|\]$/g, '');
      if (/^[0-9.]+$/.test(host) || host.includes(':')) attrs.push(attribute(uuid, 'ip', 'ip-dst', 'Network activity', host, at));
      else attrs.push(attribute(uuid, 'domain', 'domain', 'Network activity', host, at));
      attrs.push(attribute(uuid, 'scheme', 'text', 'Other', u.protocol.replace(/:$/, ''), at));
    } catch {
      // the URL alone
    }
    return object('url', uuid, at, attrs, refs);
  }
  if (r.kind === 'domain') attrs.push(attribute(uuid, 'domain', 'domain', 'Network activity', r.indicator, at, main));
  else attrs.push(attribute(uuid, 'ip', 'ip-dst', 'Network activity', r.indicator, at, main));
  return object('domain-ip', uuid, at, attrs, refs);
}

function reference(from: string, to: string, relationship: string, at: number, comment?: string): Record<string, unknown> {
  return { uuid: uuidOf('ref', from, to, relationship), object_uuid: from, referenced_uuid: to, referenced_type: '1', relationship_type: relationship, timestamp: secs(at), deleted: false, ...(comment ? { comment } : {}) };
}

const MISP_RELATION: Record<string, string> = { resolves_to: 'resolves-to', dropped_files: 'drops', downloaded_files: 'downloads', serves: 'downloads', cowrie_download: 'downloaded', contacted_ips: 'communicates-with', contacted_domains: 'communicates-with', contacted_urls: 'communicates-with' };

export interface MispContext {
  producer: string;
  now: number;
  tlp: string;
  edges: (r: IndicatorRecord) => Promise<EdgeRecord[]>;
  /** Whether an indicator is part of this export (only references between exported objects are written). */
  exported: (kind: IndicatorKind, id: string) => Promise<boolean>;
  info: string;
}

export async function* mispChunks(records: AsyncIterable<IndicatorRecord>, ctx: MispContext): AsyncGenerator<string> {
  const orgUuid = uuidv5(VTG_NAMESPACE, `org|${ctx.producer}`);
  const event = {
    uuid: randomUUID(),
    info: ctx.info.replace(/[\r\n]+/g, ' ').slice(0, 256),
    date: new Date(ctx.now).toISOString().slice(0, 10),
    timestamp: secs(ctx.now),
    publish_timestamp: '0',
    published: false,
    analysis: '2',
    threat_level_id: '4',
    distribution: '0',
    sharing_group_id: '0',
    Orgc: { uuid: orgUuid, name: ctx.producer },
    Tag: [{ name: ctx.tlp, colour: '#ffc000', exportable: true }],
    Attribute: [],
  };
  const head = JSON.stringify({ Event: event });
  yield `${head.slice(0, -2)},"Object":[`;
  let first = true;
  let n = 0;
  for await (const r of records) {
    const refs: unknown[] = [];
    const mainUuid = mispObjectUuid(r.kind, r.id);
    const objects: Record<string, unknown>[] = [];
    if (r.permalink) {
      const vtUuid = uuidOf('vt', r.kind, r.id);
      const vt = r.providers.find((p) => p.provider === 'virustotal');
      const vtAttrs = [attribute(vtUuid, 'permalink', 'link', 'External analysis', r.permalink, r.lastSeen, { disable_correlation: true })];
      if (vt?.engines) vtAttrs.push(attribute(vtUuid, 'detection-ratio', 'text', 'External analysis', `${vt.detections ?? 0}/${vt.engines}`, r.lastSeen, { disable_correlation: true }));
      if (vt?.lastAnalysisAt) vtAttrs.push(attribute(vtUuid, 'last-submission', 'datetime', 'Other', new Date(vt.lastAnalysisAt).toISOString(), r.lastSeen, { disable_correlation: true }));
      if (vt?.firstSeenAt) vtAttrs.push(attribute(vtUuid, 'first-submission', 'datetime', 'Other', new Date(vt.firstSeenAt).toISOString(), r.lastSeen, { disable_correlation: true }));
      objects.push(object('virustotal-report', vtUuid, r.lastSeen, vtAttrs));
      refs.push(reference(mainUuid, vtUuid, 'analysed-with', r.lastSeen));
    }
    for (const e of await ctx.edges(r)) {
      if (e.src.kind !== r.kind || e.src.id !== r.id || !(await ctx.exported(e.dst.kind, e.dst.id))) continue;
      const evidence = Object.entries(e.evidence).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('; ');
      refs.push(reference(mainUuid, mispObjectUuid(e.dst.kind, e.dst.id), MISP_RELATION[e.relation] ?? 'related-to', e.at, `${e.relation} (${evidence})`.slice(0, 1000)));
    }
    objects.unshift(mainObject(r, refs));
    for (const o of objects) {
      yield `${first ? '\n' : ',\n'}${JSON.stringify(o)}`;
      first = false;
    }
    if (++n % 200 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  yield '\n]}}\n';
}
