/** Related objects (`vtg file contacted_ips <hash>` ...) as table rows; JSON keeps each whole object. */
import { computeVerdict, extractAnalysisStats } from '../../providers/virustotal/verdict.js';
import { paintVerdict } from './color.js';
import { permalinkOf } from '../../indicators/index.js';
import type { Column } from './output.js';
import { isoTime } from './time.js';

export interface RelatedRow {
  indicator: string;
  type: string;
  id: string;
  verdict: string | null;
  malicious: number | null;
  engines: number | null;
  detail: string;
  permalink: string | null;
  /** The related object as VirusTotal gave it. */
  object: unknown;
}

type Attrs = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const KIND_OF_TYPE: Record<string, string> = { file: 'file', url: 'url', domain: 'domain', ip_address: 'ip' };

function detailOf(type: string, a: Attrs): string {
  switch (type) {
    case 'file':
      return [str((a.popular_threat_classification as Attrs | undefined)?.suggested_threat_label), str(a.meaningful_name), str(a.type_description)].filter(Boolean).join('  ');
    case 'url':
      return str(a.title) ?? '';
    case 'domain':
      return str(a.registrar) ?? '';
    case 'ip_address':
      return [typeof a.asn === 'number' ? `AS${a.asn}` : undefined, str(a.as_owner), str(a.country)].filter(Boolean).join(' ');
    case 'resolution':
      return typeof a.date === 'number' ? `resolved ${isoTime(a.date * 1000)}` : '';
    case 'comment':
      return str(a.text) ?? '';
    case 'vote':
      return str(a.verdict) ?? '';
    default:
      return '';
  }
}

/** A related object; for a resolution, the other side of it (the IP of a domain, the host of an IP). */
export function relatedRow(item: unknown, parentKind: string): RelatedRow {
  const o = (item ?? {}) as { type?: unknown; id?: unknown; attributes?: unknown };
  const type = typeof o.type === 'string' ? o.type : '?';
  const id = typeof o.id === 'string' ? o.id : '';
  const a = (o.attributes && typeof o.attributes === 'object' ? o.attributes : {}) as Attrs;
  const raw = a.last_analysis_stats as Record<string, number> | undefined;
  const stats = raw ? extractAnalysisStats(raw) : undefined;
  let indicator = id;
  if (type === 'url') indicator = str(a.url) ?? id;
  if (type === 'resolution') indicator = (parentKind === 'ip' ? str(a.host_name) : str(a.ip_address)) ?? id;
  const kind = KIND_OF_TYPE[type];
  return {
    indicator,
    type,
    id,
    verdict: stats ? computeVerdict(stats) : null,
    malicious: stats ? stats.malicious : null,
    engines: stats ? stats.engines : null,
    detail: detailOf(type, a),
    permalink: kind ? permalinkOf(kind, id) : null,
    object: item,
  };
}

export const RELATED_COLUMNS: Column<RelatedRow>[] = [
  { key: 'indicator', width: 64 },
  { key: 'type', width: 10 },
  { key: 'verdict', width: 10, text: (r, paint) => (r.verdict ? paintVerdict(paint, r.verdict) : '') },
  { key: 'detections', header: 'DETECTIONS', width: 10, right: true, text: (r) => (r.malicious === null ? '' : `${r.malicious}/${r.engines ?? '?'}`), value: (r) => r.malicious },
  { key: 'detail', width: 40 },
  { key: 'id', hidden: true },
  { key: 'malicious', hidden: true },
  { key: 'engines', hidden: true },
  { key: 'permalink', hidden: true },
];
