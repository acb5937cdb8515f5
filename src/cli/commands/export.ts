/** `vtg export --format ... [filters] [--out FILE]`: feeds and reports, streamed; spends no quota. */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { checkWritable } from '../out-file.js';
import { action, examples } from './common.js';
import { addFilterOptions, type FilterFlags, filterParams, remoteGet, validatedParams } from './search-filters.js';

const FORMATS = ['csv', 'ndjson', 'json', 'ioc', 'stix', 'misp', 'pdf'] as const;

interface ExportFlags extends FilterFlags {
  format: (typeof FORMATS)[number];
  out?: string;
  tlp?: string;
}

export function registerExport(program: Command, ctx: CliContext): void {
  const cmd = addFilterOptions(
    program
      .command('export')
      .description('export a search (or everything) as a feed or a report, streamed: csv, ndjson, json, ioc, stix (2.1 bundle), misp (event), pdf')
      .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('csv'))
      .option('--out <file>', 'write to FILE (complete or not at all) instead of standard output')
      .option('--tlp <tag>', 'MISP event TLP tag (default tlp:amber)'),
  ).action(action(ctx, (flags: ExportFlags) => runExport(ctx, flags)));
  examples(cmd, [
    'vtg export --format csv --verdict malicious --since 7d --out malicious.csv',
    'vtg export --format stix --kind file --out files.stix.json',
    'vtg export --format misp --source cowrie:2026-01-10 --out event.json',
    'vtg export --format ioc --kind domain > domains.txt',
    'vtg export --format pdf --since 30d --out report.pdf',
    'vtg export --format ndjson --after 1234        # only what changed since the export that printed feed cursor 1234',
  ]);
}

function write(out: Writable, chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = out.write(chunk, (err) => (err ? reject(err) : undefined));
    if (ok) resolve();
    else out.once('drain', resolve);
  });
}

function finish(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end(resolve);
  });
}

async function runExport(ctx: CliContext, flags: ExportFlags): Promise<number> {
  if (flags.tlp !== undefined && !/^tlp:[a-z+-]{3,20}$/.test(flags.tlp)) throw new UsageError('--tlp: a TLP tag such as tlp:amber, tlp:green, tlp:clear');
  const params = filterParams(flags);
  const valid = await validatedParams(params);
  if (flags.out) await checkWritable(flags.out, '--out');
  if (flags.format === 'pdf' && !flags.out && ctx.io.stdout.isTTY) throw new UsageError('--format pdf: give --out FILE (or redirect standard output)');

  let chunks: AsyncIterable<string | Uint8Array>;
  let total: string;
  let cursor: string;
  if (ctx.serverUrl) {
    const res = await remoteGet(ctx, '/api/export', { ...params, format: flags.format, ...(flags.tlp ? { tlp: flags.tlp } : {}) });
    chunks = res.body as unknown as AsyncIterable<Uint8Array>;
    total = res.headers.get('x-total-count') ?? '?';
    cursor = res.headers.get('x-feed-cursor') ?? '?';
  } else {
    const [gateway, { toSearchQuery }] = await Promise.all([ctx.localGateway(), import('../../search/index.js')]);
    let stream: Awaited<ReturnType<typeof gateway.export>>;
    try {
      stream = await gateway.export({ format: flags.format, query: toSearchQuery(valid, gateway.clock.now()), ...(flags.tlp ? { tlp: flags.tlp } : {}) });
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      throw err;
    }
    chunks = stream.chunks;
    total = String(stream.total);
    cursor = String(stream.feedCursor);
  }

  if (!flags.out) {
    for await (const chunk of chunks) await write(ctx.io.stdout, chunk);
  } else {
    const tmp = `${flags.out}.${process.pid}.tmp`;
    const file = createWriteStream(tmp, { mode: 0o600 });
    try {
      for await (const chunk of chunks) await write(file, chunk);
      await finish(file);
      await rename(tmp, flags.out);
    } catch (err) {
      file.destroy();
      await rm(tmp, { force: true });
      throw err;
    }
  }
  ctx.out.info(`vtg: exported ${total} indicator${total === '1' ? '' : 's'} as ${flags.format}${flags.out ? ` to ${flags.out}` : ''}; feed cursor ${cursor} (next time: --after ${cursor})`);
  return EXIT.ok;
}
