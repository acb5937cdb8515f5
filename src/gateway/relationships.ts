/**
 * Relationship pages (`/{collection}/{id}/{relationship}?limit&cursor`): each page is one upstream
 * call through the scheduler and the quota governor, and is cached like a lookup answer, on disk
 * in the data dir (`relationships/`, beside the answer cache; mock mode keeps its own), fresh for a
 * day. A page that cannot be refreshed (quota out, upstream down) is served stale when one is kept.
 */
import { createHash, randomUUID } from 'node:crypto';
// fs.promises on first use: loading node:fs/promises (and the readline and stream code it pulls in)
// costs every command start-up time, a cached lookup never reads a file with it
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { VtCollection } from '../providers/virustotal/relationships.js';
import type { Clock } from '../clock/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { CallOptions } from './lookups.js';

/** How long a relationship page is believed: VirusTotal's re-check period for answers likely to move. */
export const RELATIONSHIP_TTL_MS = 24 * 3600_000;
/** Pages kept on disk; the oldest go first beyond this. */
const MAX_PAGES = 2_000;

export interface RelationshipRequest {
  collection: VtCollection;
  /** The id as VirusTotal names the object (sha256/md5/sha1, URL id, domain, IP). */
  id: string;
  relationship: string;
  limit?: number;
  cursor?: string;
}

export interface RelationshipAnswer {
  /** Upstream HTTP status and body (a collection `{data, meta, links}` or `{error}`). */
  status: number;
  body: unknown;
  source: 'cache' | 'upstream' | 'stale';
  fetchedAt: number;
  ageMs: number;
}

type Stored = StoredPage;

/** What pages need of the Gateway (its `vtRaw`, clock, config and mode); the Gateway itself fits. */
export interface RelationshipGateway {
  vtRaw(method: 'GET', path: string, init: { query?: Record<string, string> }, options?: CallOptions): Promise<{ status: number; body: unknown; joined?: true }>;
  readonly clock: Clock;
  readonly config: GatewayConfig;
  readonly mock: boolean;
}

/** A kept page (the file's JSON). */
export interface StoredPage {
  key: string;
  status: number;
  body: unknown;
  fetchedAt: number;
}

/** `<data-dir>/relationships`, `<data-dir>/mock/relationships` in mock mode (the Gateway's dataDir has the `mock` already). */
export function relationshipDir(gw: Pick<RelationshipGateway, 'config'>): string {
  return join(gw.config.dataDir, 'relationships');
}

/** Where mock mode kept pages before (`mock/mock/relationships`): cleared with the rest. */
function legacyDir(gw: Pick<RelationshipGateway, 'config' | 'mock'>): string | undefined {
  return gw.mock ? join(gw.config.dataDir, 'mock', 'relationships') : undefined;
}

function pathOf(req: RelationshipRequest): { path: string; query: Record<string, string> } {
  const query: Record<string, string> = {};
  if (req.limit !== undefined) query.limit = String(req.limit);
  if (req.cursor !== undefined) query.cursor = req.cursor;
  return { path: `/${req.collection}/${encodeURIComponent(req.id)}/${req.relationship}`, query };
}

async function readStored(file: string, key: string): Promise<Stored | undefined> {
  try {
    const stored = JSON.parse(await fsp.readFile(file, 'utf8')) as Stored;
    return stored.key === key ? stored : undefined;
  } catch {
    return undefined;
  }
}

async function store(dir: string, file: string, stored: Stored): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  // one temp file per write: two requests of this process storing the same page must not share one
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fsp.writeFile(tmp, JSON.stringify(stored));
  await fsp.rename(tmp, file);
  const names = (await fsp.readdir(dir)).filter((n) => n.endsWith('.json'));
  if (names.length <= MAX_PAGES) return;
  const aged = await Promise.all(names.map(async (n) => ({ n, at: (await fsp.stat(join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  aged.sort((a, b) => a.at - b.at);
  await Promise.all(aged.slice(0, names.length - Math.floor(MAX_PAGES * 0.9)).map((a) => fsp.rm(join(dir, a.n), { force: true })));
}

const COLLECTION_OF_KIND: Record<string, VtCollection> = { file: 'files', url: 'urls', domain: 'domains', ip: 'ip_addresses' };

/**
 * Removes kept pages, as `vtg cache clear` removes answers: all (no filter), VirusTotal's (the only
 * provider with pages), one kind, or the pages of some objects (`ids`: every id they were asked by).
 * Returns how many.
 */
export async function clearRelationshipPages(gw: Pick<RelationshipGateway, 'config' | 'mock'>, filter: { provider?: string; kind?: string; ids?: string[] } = {}): Promise<number> {
  if (filter.provider && filter.provider !== 'virustotal') return 0;
  const legacy = legacyDir(gw);
  if (legacy) await fsp.rm(legacy, { recursive: true, force: true });
  const dir = relationshipDir(gw);
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const collection = filter.kind ? COLLECTION_OF_KIND[filter.kind] : undefined;
  const ids = filter.ids ? new Set(filter.ids.map((id) => id.toLowerCase())) : undefined;
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    if (collection || ids) {
      const key = (await fsp.readFile(file, 'utf8').then((t) => (JSON.parse(t) as Partial<Stored>).key, () => undefined)) ?? '';
      const [, coll = '', id = ''] = key.split('?')[0]?.split('/') ?? [];
      if (collection && coll !== collection) continue;
      if (ids && !ids.has(safeDecode(id).toLowerCase())) continue;
    }
    await fsp.rm(file, { force: true });
    removed++;
  }
  return removed;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** One page of a relationship: from the cache when fresh, else one upstream call (cached when it succeeds). */
export async function relationshipPage(gw: RelationshipGateway, req: RelationshipRequest, options: CallOptions = {}): Promise<RelationshipAnswer> {
  const { path, query } = pathOf(req);
  const key = `${path}?${new URLSearchParams(query).toString()}`;
  const dir = relationshipDir(gw);
  const file = join(dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  const cached = await readStored(file, key);
  const now = gw.clock.now();
  if (cached && now - cached.fetchedAt < RELATIONSHIP_TTL_MS) {
    return { status: cached.status, body: cached.body, source: 'cache', fetchedAt: cached.fetchedAt, ageMs: now - cached.fetchedAt };
  }
  let answer: { status: number; body: unknown; joined?: true };
  try {
    answer = await gw.vtRaw('GET', path, { query }, options);
  } catch (err) {
    if (!cached || options.signal?.aborted) throw err;
    const at = gw.clock.now();
    return { status: cached.status, body: cached.body, source: 'stale', fetchedAt: cached.fetchedAt, ageMs: at - cached.fetchedAt };
  }
  const fetchedAt = gw.clock.now();
  if (answer.status === 200) await store(dir, file, { key, status: answer.status, body: answer.body, fetchedAt });
  else if (cached && (answer.status === 429 || answer.status >= 500)) {
    return { status: cached.status, body: cached.body, source: 'stale', fetchedAt: cached.fetchedAt, ageMs: fetchedAt - cached.fetchedAt };
  }
  // another instance's call answered it (cluster single-flight): it cost this one nothing
  return { status: answer.status, body: answer.body, source: answer.joined ? 'cache' : 'upstream', fetchedAt, ageMs: 0 };
}
