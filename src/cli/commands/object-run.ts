/** What `vtg file|url|domain|ip` do: detail views, relationship pages, and the relationship names. */
import { urlIndicator } from '../../http/indicator-input.js';
import { type Indicator, parseIndicator, permalinkOf } from '../../indicators/index.js';
import { VT_RELATIONSHIPS } from '../../providers/virustotal/relationships.js';
import type { LookupResult } from '../../gateway/index.js';
import type { Backend } from '../backend/index.js';
import type { CliContext } from '../context.js';
import { exitCodeFor, messageOf, UsageError } from '../errors.js';
import { EXIT, worstExit } from '../exit-codes.js';
import { sourceText, unSimulateLinks } from '../format/lookup-rows.js';
import { filterAttributes } from '../format/object-filter.js';
import { type ObjectDoc, objectViewLines } from '../format/object-view.js';
import { RELATED_COLUMNS, relatedRow } from '../format/relationship-rows.js';
import { indicatorsFromArgs } from '../inputs.js';
import { mapLimit, reportError } from './common.js';
import type { ObjectCommandSpec, ObjectFlags } from './object-spec.js';

const RELATIONSHIP_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const PAGE_MAX = 40;

function parseAs(spec: ObjectCommandSpec, input: string): Indicator {
  return spec.kind === 'url' ? urlIndicator(input) : parseIndicator(input, { kind: spec.kind });
}

function isIndicator(spec: ObjectCommandSpec, input: string): boolean {
  try {
    parseAs(spec, input);
    return true;
  } catch {
    return false;
  }
}

export async function runObjectCommand(ctx: CliContext, spec: ObjectCommandSpec, args: string[], flags: ObjectFlags): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined) throw new UsageError(`vtg ${spec.kind}: give one or more ${spec.kind}s, \`-\` for stdin, or a relationship name and one ${spec.kind} (see vtg ${spec.kind} --help)`);
  if (first === 'relationships' && !isIndicator(spec, first)) return listRelationships(ctx, spec, rest);
  const known = first in VT_RELATIONSHIPS[spec.collection];
  if (known || (RELATIONSHIP_NAME.test(first) && first.includes('_') && !isIndicator(spec, first))) return relationship(ctx, spec, first, rest, flags);
  return details(ctx, spec, args, flags);
}

function listRelationships(ctx: CliContext, spec: ObjectCommandSpec, rest: string[]): number {
  // `vtg file relationships <hash>` reads like vt-cli; the hash is checked but costs nothing
  for (const input of rest) if (input !== '-') parseAs(spec, input);
  const rows = Object.entries(VT_RELATIONSHIPS[spec.collection]).map(([name, info]) => ({ name, items: info.items, description: info.description }));
  ctx.out.list(rows, [{ key: 'name', width: 22 }, { key: 'items', width: 11 }, { key: 'description' }]);
  ctx.out.info(`vtg: list one with: vtg ${spec.kind} <relationship> <${spec.kind}> [--limit N] [--cursor C]`);
  return EXIT.ok;
}

function objectDoc(spec: ObjectCommandSpec, result: LookupResult, flags: ObjectFlags, simulated: boolean): ObjectDoc {
  const r = result.report;
  const data = (r.data ?? {}) as { type?: string; id?: string; links?: unknown; attributes?: Record<string, unknown> };
  const attributes = data.attributes ?? {};
  const id = typeof data.id === 'string' && r.found ? data.id : result.indicator.id;
  return {
    kind: spec.kind,
    id,
    indicator: r.indicator || result.indicator.value,
    found: r.found,
    verdict: r.found ? r.verdict : 'not_found',
    permalink: permalinkOf(spec.kind, id, attributes.sha256),
    source: result.source,
    stale: result.stale,
    fetchedAt: result.fetchedAt,
    ...(simulated ? { simulated: true as const } : {}),
    ...(data.type ? { type: data.type } : {}),
    ...(data.links ? { links: data.links } : {}),
    attributes: filterAttributes(attributes, { include: flags.include ?? [], exclude: flags.exclude ?? [] }),
  };
}

async function details(ctx: CliContext, spec: ObjectCommandSpec, args: string[], flags: ObjectFlags): Promise<number> {
  const inputs = await indicatorsFromArgs(args, ctx.io);
  if (inputs.length === 0) throw new UsageError(`no ${spec.kind}s given (pass them as arguments or \`-\` for stdin)`);
  let code: number = EXIT.ok;
  const valid: Array<{ input: string; indicator: Indicator }> = [];
  for (const input of inputs) {
    try {
      valid.push({ input, indicator: parseAs(spec, input) });
    } catch (err) {
      ctx.out.warn(`vtg: invalid ${spec.kind} ${messageOf(err)}`);
      code = worstExit(code, exitCodeFor(err));
    }
  }
  if (valid.length === 0) return code;
  const backend = await ctx.backend();
  const options = {
    priority: 'interactive' as const,
    ...(flags.maxAge !== undefined ? { maxAgeMs: flags.maxAge * 1000 } : {}),
    ...(flags.wait === false ? { waitForQuota: false } : {}),
    ...(flags.cacheOnly ? { cacheOnly: true } : {}),
  };
  const outcomes = await mapLimit(valid, 4, async ({ input, indicator }) => {
    try {
      const result = await backend.object(indicator, options);
      return { input, doc: objectDoc(spec, backend.mock ? unSimulateLinks(result) : result, flags, backend.mock) };
    } catch (err) {
      return { input, error: err };
    }
  });
  const docs: ObjectDoc[] = [];
  for (const o of outcomes) {
    if (o.doc) docs.push(o.doc);
    else code = worstExit(code, reportError(ctx, o.input, o.error));
  }
  if (ctx.out.mode === 'table') {
    docs.forEach((doc, i) => {
      if (i > 0) ctx.out.line();
      for (const l of objectViewLines(doc, ctx.out.paint, { allEngines: flags.allEngines === true, sourceText: sourceText(doc.source, Date.now() - doc.fetchedAt) })) ctx.out.line(l);
    });
  } else {
    ctx.out.list(docs, [{ key: 'kind' }, { key: 'id' }, { key: 'verdict' }, { key: 'permalink' }, { key: 'source' }]);
  }
  return code;
}

async function relationship(ctx: CliContext, spec: ObjectCommandSpec, name: string, rest: string[], flags: ObjectFlags): Promise<number> {
  const objectOnly = [
    flags.cacheOnly !== undefined && '--cache-only',
    flags.maxAge !== undefined && '--max-age',
    flags.allEngines !== undefined && '--all-engines',
    flags.wait === false && '--no-wait',
  ].filter(Boolean);
  if (objectOnly.length > 0) throw new UsageError(`${objectOnly.join(', ')}: for object views only; a relationship page is cached a day and fetched when it is not`);
  const inputs = await indicatorsFromArgs(rest, ctx.io);
  if (inputs.length !== 1) throw new UsageError(`vtg ${spec.kind} ${name}: give exactly one ${spec.kind} (got ${inputs.length})`);
  const indicator = parseAs(spec, inputs[0] as string);
  const id = spec.kind === 'url' ? (indicator.vtUrlId ?? indicator.id) : indicator.id;
  const limit = flags.limit ?? 10;
  if (limit < 1) throw new UsageError('--limit must be at least 1');
  const backend = await ctx.backend();
  const items: unknown[] = [];
  let cursor: string | null = flags.cursor ?? null;
  let count: number | null = null;
  const sources = new Set<string>();
  do {
    const page = await fetchPage(backend, spec, id, name, Math.min(PAGE_MAX, limit - items.length), cursor);
    items.push(...page.items);
    count = page.count ?? count;
    cursor = page.cursor;
    sources.add(page.source);
  } while (cursor && items.length < limit);
  const rows = items.map((item) => relatedRow(backend.mock ? unSimulateLinks(item) : item, spec.kind));
  const object = { kind: spec.kind, id: indicator.id, indicator: indicator.value, permalink: permalinkOf(spec.kind, indicator.id) };
  const source = sources.has('upstream') ? 'upstream' : sources.has('stale') ? 'stale' : 'cache';
  ctx.out.list(rows, RELATED_COLUMNS, {
    empty: `vtg: no ${name} for ${indicator.value}`,
    document: (projected) => ({ object, relationship: name, count, cursor, source, ...(backend.mock ? { simulated: true } : {}), items: projected }),
  });
  const shown = `${rows.length}${count !== null ? ` of ${count}` : ''} ${name} (${source}${backend.mock ? ', simulated' : ''})`;
  ctx.out.info(cursor ? `vtg: ${shown}; more: vtg ${spec.kind} ${name} ${inputs[0]} --cursor ${cursor}` : `vtg: ${shown}`);
  return EXIT.ok;
}

async function fetchPage(backend: Backend, spec: ObjectCommandSpec, id: string, name: string, limit: number, cursor: string | null) {
  try {
    return await backend.relationship({ collection: spec.collection, id, relationship: name, limit, ...(cursor ? { cursor } : {}) });
  } catch (err) {
    if (!(name in VT_RELATIONSHIPS[spec.collection]) && exitCodeFor(err) === EXIT.usage) {
      throw new UsageError(`${messageOf(err)}: "${name}" is not a relationship of ${spec.kind} objects here (vtg ${spec.kind} relationships lists them)`);
    }
    throw err;
  }
}
