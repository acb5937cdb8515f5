/**
 * Correlation from kept relationship pages: a page that `vtg file contacted_ips <hash>` (or
 * `/api/v3/files/{id}/contacted_ips`) fetched links its object to every indicator it names, so
 * `vtg related` and `/api/related` show those links without an upstream call. The pages are put
 * in the search index's edges when a graph is asked for: those kept since the last time (a marker
 * file in the pages' folder remembers when that was), so each page is read once.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type IndicatorKind, tryParseIndicator } from '../indicators/index.js';
import type { EdgeRecord } from '../store/index.js';
import { type RelationshipGateway, relationshipDir, type StoredPage } from './relationships.js';

const MARKER = '.indexed';
const KIND_OF_COLLECTION: Record<string, IndicatorKind> = { files: 'file', urls: 'url', domains: 'domain', ip_addresses: 'ip' };
const KIND_OF_TYPE: Record<string, IndicatorKind> = { file: 'file', url: 'url', domain: 'domain', ip_address: 'ip' };

type Node = EdgeRecord['src'];

function node(kind: IndicatorKind, value: string): Node | null {
  const parsed = tryParseIndicator(value, { kind, allowPrivate: true });
  return parsed.ok ? { kind, id: parsed.indicator.id, value: parsed.indicator.value } : null;
}

/** The page's own object, from its key (`/files/<id>/<relationship>?...`); a URL by its sha256 or base64url id. */
function parentOf(key: string): { parent: Node; relationship: string } | null {
  const [, collection = '', raw = '', relationship = ''] = key.split('?')[0]?.split('/') ?? [];
  const kind = KIND_OF_COLLECTION[collection];
  if (!kind || !relationship) return null;
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (kind === 'url' && /^[0-9a-f]{64}$/i.test(id)) return { parent: { kind, id: id.toLowerCase(), value: id.toLowerCase() }, relationship };
  const parent = node(kind, kind === 'url' ? Buffer.from(id, 'base64url').toString('utf8') : id);
  return parent ? { parent, relationship } : null;
}

type Item = { type?: unknown; id?: unknown; attributes?: { url?: unknown; ip_address?: unknown; host_name?: unknown }; context_attributes?: { url?: unknown } };

/** The indicator a page item names (a resolution names the other side of the pair). */
function itemNode(item: Item, parent: Node): Node | null {
  if (item?.type === 'resolution') {
    const other = parent.kind === 'ip' ? item.attributes?.host_name : item.attributes?.ip_address;
    return typeof other === 'string' ? node(parent.kind === 'ip' ? 'domain' : 'ip', other) : null;
  }
  const kind = typeof item?.type === 'string' ? KIND_OF_TYPE[item.type] : undefined;
  if (!kind || typeof item.id !== 'string') return null;
  if (kind !== 'url') return node(kind, item.id);
  const url = item.attributes?.url ?? item.context_attributes?.url;
  return typeof url === 'string' ? node('url', url) : /^[0-9a-f]{64}$/i.test(item.id) ? { kind, id: item.id.toLowerCase(), value: item.id.toLowerCase() } : null;
}

/** The links one kept page gives: its object to each indicator it lists. */
export function pageEdges(page: StoredPage): EdgeRecord[] {
  if (page.status !== 200) return [];
  const head = parentOf(page.key);
  const data = (page.body as { data?: unknown } | null)?.data;
  if (!head || !Array.isArray(data)) return [];
  const out: EdgeRecord[] = [];
  for (const item of data as Item[]) {
    const dst = itemNode(item, head.parent);
    if (dst && !(dst.kind === head.parent.kind && dst.id === head.parent.id)) {
      out.push({ src: head.parent, dst, relation: head.relationship, evidence: { source: 'virustotal', relationship: head.relationship, page: true }, at: page.fetchedAt });
    }
  }
  return out;
}

/** Puts the links of the pages kept since the last call into `putEdge`; returns how many pages were read. */
export async function indexRelationshipPages(gw: Pick<RelationshipGateway, 'config'>, putEdge: (e: EdgeRecord) => Promise<void>): Promise<number> {
  const dir = relationshipDir(gw);
  const names = await readdir(dir).catch(() => [] as string[]);
  if (names.length === 0) return 0;
  const marker = join(dir, MARKER);
  const since = Number(await readFile(marker, 'utf8').catch(() => '0')) || 0;
  const startedAt = Date.now();
  let read = 0;
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (!info || info.mtimeMs < since) continue;
    const page = await readFile(file, 'utf8').then((t) => JSON.parse(t) as StoredPage, () => undefined);
    if (!page) continue;
    read++;
    for (const e of pageEdges(page)) await putEdge(e);
  }
  // a page written during the scan has an mtime after `startedAt - 1 s` and is read again next time
  await writeFile(marker, String(startedAt - 1000)).catch(() => undefined);
  return read;
}
