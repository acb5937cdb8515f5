/** `vtg search [filters]` and `vtg related <indicator>`: what the cache and history know, no quota spent. */
import type { Command } from 'commander';
import type { RelatedGraph } from '../../correlation/index.js';
import type { IndicatorRecord, SearchPage } from '../../search/index.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { paintVerdict } from '../format/color.js';
import { isoTime } from '../format/time.js';
import { action, examples, wholeNumber } from './common.js';
import { addFilterOptions, type FilterFlags, filterParams, remoteGet, validatedParams } from './search-filters.js';

interface SearchFlags extends FilterFlags {
  sort?: string;
  order?: string;
  limit?: string;
  cursor?: string;
}

export function registerSearch(program: Command, ctx: CliContext): void {
  const search = addFilterOptions(program.command('search').description('search the cache and history (filters, sorted, paged, counted); spends no quota'))
    .option('--sort <key>', 'last_seen (default), first_seen, detections, indicator')
    .option('--order <dir>', 'asc or desc')
    .option('--limit <n>', 'page size 1..1000 (default 50)')
    .option('--cursor <cursor>', 'next page (the cursor printed by the previous page)')
    .action(action(ctx, (flags: SearchFlags) => runSearch(ctx, flags)));
  examples(search, [
    'vtg search --verdict malicious --since 7d',
    'vtg search --kind file --label mirai --sort detections',
    'vtg search --source cowrie:2026-01-10 --json',
    'vtg search --text invoice --min-detections 3 --csv',
  ]);

  const related = program
    .command('related')
    .description('the neighbourhood of an indicator: Cowrie sessions, cached VirusTotal relationships, shared threat labels (no quota)')
    .argument('<indicator>', 'hash, URL, domain or IP')
    .option('--depth <n>', 'hops (1..4)', wholeNumber, 1)
    .option('--max-nodes <n>', 'at most N nodes', wholeNumber, 200)
    .option('--no-labels', 'do not link samples that share a threat label')
    .action(action(ctx, (input: string, flags: { depth: number; maxNodes: number; labels: boolean }) => runRelated(ctx, input, flags)));
  examples(related, ['vtg related 203.0.113.77 --depth 2', 'vtg related 44d88612fea8a8f36de82e1278abb02f --json']);
}

const COLUMNS = [
  { key: 'kind' },
  { key: 'indicator', text: (r: IndicatorRecord) => (r.indicator.length > 80 ? `${r.indicator.slice(0, 77)}...` : r.indicator), value: (r: IndicatorRecord) => r.indicator },
  { key: 'verdict', text: (r: IndicatorRecord, p: Parameters<typeof paintVerdict>[0]) => paintVerdict(p, r.verdict) },
  { key: 'detections', right: true, text: (r: IndicatorRecord) => (r.engines ? `${r.detections}/${r.engines}` : String(r.detections)), value: (r: IndicatorRecord) => r.detections },
  { key: 'threatLabel', header: 'THREAT', text: (r: IndicatorRecord) => r.threatLabel ?? '' },
  { key: 'providers', text: (r: IndicatorRecord) => r.providers.map((p) => p.provider).join(','), value: (r: IndicatorRecord) => r.providers.map((p) => p.provider).join(' ') },
  { key: 'lastSeen', header: 'LAST SEEN (UTC)', text: (r: IndicatorRecord) => isoTime(r.lastSeen), value: (r: IndicatorRecord) => isoTime(r.lastSeen) },
];

async function runSearch(ctx: CliContext, flags: SearchFlags): Promise<number> {
  const params = filterParams(flags);
  for (const k of ['sort', 'order', 'limit', 'cursor'] as const) if (flags[k] !== undefined) params[k] = flags[k]!;
  const valid = await validatedParams(params);
  let page: SearchPage;
  if (ctx.serverUrl) page = (await (await remoteGet(ctx, '/api/search', params)).json()) as SearchPage;
  else {
    const [gateway, { toSearchQuery }] = await Promise.all([ctx.localGateway(), import('../../search/index.js')]);
    try {
      page = await gateway.search(toSearchQuery(valid, gateway.clock.now()));
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      throw err;
    }
  }
  if (ctx.out.mode === 'json' && !ctx.out.fields) {
    ctx.out.json(page);
    return EXIT.ok;
  }
  ctx.out.list(page.items, COLUMNS, { empty: 'nothing matches (the index holds what was looked up before: vtg lookup, batch, enrich)' });
  if (!ctx.out.machine) {
    ctx.out.line(`${page.items.length} of ${page.total} shown${page.nextCursor ? `; next page: --cursor ${page.nextCursor}` : ''}`);
  }
  return EXIT.ok;
}

async function runRelated(ctx: CliContext, input: string, flags: { depth: number; maxNodes: number; labels: boolean }): Promise<number> {
  if (flags.depth < 1 || flags.depth > 4) throw new UsageError('--depth: 1..4');
  let graph: RelatedGraph;
  if (ctx.serverUrl) {
    const params = { depth: String(flags.depth), max_nodes: String(flags.maxNodes), labels: String(flags.labels) };
    graph = (await (await remoteGet(ctx, `/api/related/${encodeURIComponent(input)}`, params)).json()) as RelatedGraph;
  } else {
    const gateway = await ctx.localGateway();
    graph = await gateway.related(input, { depth: flags.depth, maxNodes: flags.maxNodes, labels: flags.labels });
  }
  if (ctx.out.mode === 'json' && !ctx.out.fields) {
    ctx.out.json(graph);
    return EXIT.ok;
  }
  const nodes = new Map(graph.nodes.map((n) => [n.key, n]));
  const label = (key: string) => {
    const n = nodes.get(key);
    return n ? `${n.kind} ${n.value}` : key;
  };
  ctx.out.list(
    graph.edges,
    [
      { key: 'source', text: (e) => label(e.source), value: (e) => e.source },
      { key: 'relation' },
      { key: 'target', text: (e) => label(e.target), value: (e) => e.target },
      { key: 'evidence', text: (e) => Object.entries(e.evidence).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' '), value: (e) => JSON.stringify(e.evidence) },
    ],
    { empty: `nothing links to ${input} yet (links come from Cowrie sessions, cached VirusTotal objects and shared threat labels)` },
  );
  if (!ctx.out.machine) ctx.out.line(`${graph.nodes.length} nodes, ${graph.edges.length} edges, depth ${graph.depth}${graph.truncated ? ' (cut at --max-nodes)' : ''}`);
  return EXIT.ok;
}
