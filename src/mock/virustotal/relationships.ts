import { type RelationshipItemType, type VtCollection, VT_RELATIONSHIPS } from '../../providers/virustotal/relationships.js';
import type { MockKind } from '../types.js';
import { canonicalUrl, seedDigest, sha256Hex, u32 } from './ids.js';
import { TLDS, WORDS, ipFromDigest, type VtObject } from './objects.js';

/** Every relationship list holds this many items, so tests can predict the pages. */
export const RELATIONSHIP_SIZE = 25;
export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 40;

type ItemType = RelationshipItemType;
export type Collection = VtCollection;

/** Relationship names per collection and the type of their items (shared with the CLI). */
export const RELATIONSHIPS: Record<Collection, Record<string, ItemType>> = Object.fromEntries(
  Object.entries(VT_RELATIONSHIPS).map(([collection, rels]) => [collection, Object.fromEntries(Object.entries(rels).map(([name, info]) => [name, info.items]))]),
) as Record<Collection, Record<string, ItemType>>;

/** Builds a full object of a related file, URL, domain or IP (with its own deterministic verdict). */
export type ItemBuilder = (kind: MockKind, id: string, url?: string) => VtObject;

function relatedDomain(parentId: string, relationship: string, d: Buffer, i: number): string {
  if (relationship === 'subdomains') return `${WORDS[i % WORDS.length]}${i}.${parentId}`;
  return `${WORDS[u32(d, 0) % WORDS.length]}-${d.toString('hex').slice(0, 6)}.${TLDS[u32(d, 4) % TLDS.length]}`;
}

function item(
  origin: string,
  parentKind: MockKind,
  parentId: string,
  relationship: string,
  type: ItemType,
  i: number,
  build: ItemBuilder,
): VtObject {
  const d = seedDigest(parentKind, parentId, `${relationship}:${i}`);
  const date = 1_600_000_000 + (u32(d, 8) % 140_000_000);
  const prefix = parentKind === 'ip' ? 'i' : (parentKind.charAt(0) as string);
  switch (type) {
    case 'file':
      return build('file', d.toString('hex'));
    case 'domain':
      return build('domain', relatedDomain(parentId, relationship, d, i));
    case 'ip_address':
      return build('ip', ipFromDigest(d, 12));
    case 'url': {
      const url = canonicalUrl(`http://${ipFromDigest(d, 12)}/${WORDS[u32(d, 0) % WORDS.length]}/${d.toString('hex').slice(0, 8)}`);
      return build('url', sha256Hex(url), url);
    }
    case 'resolution': {
      const other = parentKind === 'ip' ? relatedDomain(parentId, relationship, d, i) : ipFromDigest(d, 12);
      const [host, ip] = parentKind === 'ip' ? [other, parentId] : [parentId, other];
      return {
        type: 'resolution',
        id: `${ip}${host}`,
        links: { self: `${origin}/api/v3/resolutions/${ip}${host}` },
        attributes: { date, host_name: host, ip_address: ip, resolver: 'VirusTotal' },
      };
    }
    case 'comment': {
      const id = `${prefix}-${parentId}-${d.toString('hex').slice(0, 8)}`;
      const text = `Seen in honeypot #${i + 1}: ${WORDS[u32(d, 0) % WORDS.length]} activity`;
      return {
        type: 'comment',
        id,
        links: { self: `${origin}/api/v3/comments/${id}` },
        attributes: { date, text, html: text, tags: [], votes: { positive: u32(d, 4) % 5, negative: 0, abuse: 0 } },
      };
    }
    case 'vote': {
      const id = `${prefix}-${parentId}-${d.toString('hex').slice(0, 8)}`;
      const malicious = u32(d, 4) % 2 === 0;
      return {
        type: 'vote',
        id,
        links: { self: `${origin}/api/v3/votes/${id}` },
        attributes: { date, verdict: malicious ? 'malicious' : 'harmless', value: malicious ? -1 : 1 },
      };
    }
  }
}

export type PageResult =
  | { ok: true; body: { data: VtObject[]; meta: { count: number; cursor?: string }; links: { self: string; next?: string } } }
  | { ok: false; status: number; code: string; message: string };

function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number | null {
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  return m ? Number(m[1]) : null;
}

/**
 * One page of a relationship list: `limit` (default 10, at most 40) items from `cursor`; every
 * page but the last has `meta.cursor` and an absolute `links.next` back to this simulator.
 */
export function relationshipPage(args: {
  origin: string;
  collection: Collection;
  parentKind: MockKind;
  parentId: string;
  /** The parent id as it appears in the request path (for links). */
  pathId: string;
  relationship: string;
  query: URLSearchParams;
  build: ItemBuilder;
}): PageResult {
  const { origin, collection, parentKind, parentId, pathId, relationship, query, build } = args;
  const type = RELATIONSHIPS[collection][relationship];
  if (!type) return { ok: false, status: 404, code: 'NotFoundError', message: `Relationship "${relationship}" not found` };
  const limitText = query.get('limit');
  const limit = limitText === null || limitText === '' ? DEFAULT_PAGE_SIZE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) {
    return { ok: false, status: 400, code: 'InvalidArgumentError', message: `Invalid limit: ${JSON.stringify(limitText)}` };
  }
  const size = Math.min(limit, MAX_PAGE_SIZE);
  const cursorText = query.get('cursor');
  const offset = cursorText ? decodeCursor(cursorText) : 0;
  if (offset === null) return { ok: false, status: 400, code: 'InvalidArgumentError', message: 'Invalid cursor' };
  const end = Math.min(RELATIONSHIP_SIZE, offset + size);
  const data: VtObject[] = [];
  for (let i = offset; i < end; i++) data.push(item(origin, parentKind, parentId, relationship, type, i, build));
  const base = `${origin}/api/v3/${collection}/${encodeURIComponent(pathId)}/${relationship}`;
  const selfQuery = query.toString();
  const body: Extract<PageResult, { ok: true }>['body'] = {
    data,
    meta: { count: RELATIONSHIP_SIZE },
    links: { self: selfQuery ? `${base}?${selfQuery}` : base },
  };
  if (end < RELATIONSHIP_SIZE) {
    const cursor = encodeCursor(end);
    body.meta.cursor = cursor;
    body.links.next = `${base}?${new URLSearchParams({ cursor, limit: String(size) }).toString()}`;
  }
  return { ok: true, body };
}
