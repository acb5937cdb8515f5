/**
 * Hostile content from the terminal: `vtg scan archive`, `vtg scan fetch`, `vtg yara test|rules`
 * and `vtg watch`. Embedded, they scan in this process; with `--server` the service scans (the file
 * is posted; a URL is fetched by the server, under its SSRF guard) and the output is the same.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ArchiveScanResult, MemberResult } from '../../archives/index.js';
import type { CliContentOptions } from '../backend/index.js';
import type { CliContext } from '../context.js';
import { CliFailure, messageOf } from '../errors.js';
import { EXIT, worstExit } from '../exit-codes.js';
import { paintVerdict } from '../format/color.js';
import { action, examples, seconds, wholeNumber } from './common.js';
import { registerYaraAndWatch } from './content-watch.js';

const FAIL_ON = ['malicious', 'suspicious', 'yara', 'finding', 'incomplete'] as const;
type FailOn = (typeof FAIL_ON)[number];

interface ArchiveFlags {
  password?: string[];
  uploadUnknown?: boolean;
  yara?: string;
  lookup: boolean;
  maxDepth?: number;
  maxTotalMb?: number;
  maxEntryMb?: number;
  maxRatio?: number;
  maxEntries?: number;
  timeout?: number;
  failOn?: FailOn[];
}

const collect = (v: string, prev: string[] = []) => [...prev, v];
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0');
  return n;
};

function archiveOptions(c: Command): Command {
  return c
    .option('-p, --password <password>', 'password to try (repeatable; `infected` is always tried last)', collect)
    .option('--upload-unknown', 'upload members VirusTotal does not know (VirusTotal shares uploads with its partners)')
    .option('--yara <dir>', 'directory (or file) of .yar/.yara rules to run on every member (default VTG_YARA_DIR; not with --server: the server runs its own)')
    .option('--no-lookup', 'hash and YARA only: no lookups, no quota spent')
    .option('--max-depth <n>', 'nesting depth to descend (default 3)', wholeNumber)
    .option('--max-total-mb <n>', 'uncompressed MiB across the whole scan (default 1024)', positive)
    .option('--max-entry-mb <n>', 'uncompressed MiB of one member (default 256)', positive)
    .option('--max-ratio <n>', 'compression ratio allowed past 1 MiB (default 100)', positive)
    .option('--max-entries <n>', 'members across the whole scan (default 10000)', wholeNumber)
    .option('--timeout <sec>', 'time limit for one scan (default 120)', seconds)
    .addOption(new Option('--fail-on <what>', 'exit 1 when a member is malicious/suspicious, a YARA rule matched, any finding, or the scan is incomplete (repeatable)').choices(FAIL_ON).argParser((v: string, prev: FailOn[] = []) => [...prev, v as FailOn]));
}

function toOptions(flags: ArchiveFlags): CliContentOptions {
  const mb = (n?: number) => (n === undefined ? undefined : Math.round(n * 1024 * 1024));
  return {
    ...(flags.yara ? { yaraDir: flags.yara } : {}),
    passwords: flags.password ?? [],
    uploadUnknown: flags.uploadUnknown === true,
    noLookup: flags.lookup === false,
    limits: {
      maxDepth: flags.maxDepth,
      maxTotalBytes: mb(flags.maxTotalMb),
      maxEntryBytes: mb(flags.maxEntryMb),
      maxRatio: flags.maxRatio,
      maxEntries: flags.maxEntries,
      timeoutMs: flags.timeout === undefined ? undefined : flags.timeout * 1000,
    },
  };
}

/** 1 when a --fail-on condition is met. */
export function failOnMet(result: ArchiveScanResult, rules: readonly FailOn[] = []): string[] {
  const met: string[] = [];
  for (const r of rules) {
    if (r === 'malicious' && result.members.some((m) => m.verdict === 'malicious')) met.push(r);
    if (r === 'suspicious' && result.members.some((m) => m.verdict === 'malicious' || m.verdict === 'suspicious')) met.push(r);
    if (r === 'yara' && result.members.some((m) => m.yara.length > 0)) met.push(r);
    if (r === 'finding' && result.findings.length > 0) met.push(r);
    if (r === 'incomplete' && !result.complete) met.push(r);
  }
  return met;
}

export function human(result: ArchiveScanResult, paint: Parameters<typeof paintVerdict>[0]): string[] {
  const a = result.archive;
  const lines = [`${a.path}  ${a.format ?? 'not an archive'}  ${a.size} bytes  sha256 ${a.sha256}`];
  const row = (m: MemberResult) =>
    `  ${'  '.repeat(Math.max(0, m.depth - 1))}${m.path}  ${m.size} B  ${m.type}  ${paintVerdict(paint, m.verdict)}${m.detections ? ` (${m.detections})` : ''}${m.yara.length ? `  yara: ${m.yara.map((y) => y.rule).join(', ')}` : ''}${m.analysisId ? `  uploaded: ${m.analysisId}` : ''}`;
  lines.push(...result.members.map(row));
  for (const f of result.findings) lines.push(`  ! ${f.kind}${f.limit ? `(${f.limit})` : ''}  ${f.path || '(archive)'}: ${f.message}`);
  lines.push(`${result.members.length} member(s), ${result.findings.length} finding(s), ${result.complete ? 'complete' : 'INCOMPLETE'}${result.lookupErrors ? `, ${result.lookupErrors} lookup(s) failed` : ''}`);
  return lines;
}

function outcome(ctx: CliContext, result: ArchiveScanResult, flags: ArchiveFlags): number {
  ctx.out.object(result, () => human(result, ctx.out.paint));
  const met = failOnMet(result, flags.failOn);
  if (met.length) ctx.out.warn(`vtg: --fail-on met: ${met.join(', ')}`);
  const attempted = flags.lookup === false ? 0 : new Set(result.members.map((m) => m.sha256)).size;
  if (result.lookupErrors && result.lookupErrors >= attempted) return EXIT.failure;
  return met.length ? EXIT.failOn : EXIT.ok;
}

const INPUT_ERRORS = new Set(['InvalidFile', 'FetchRefused', 'InvalidYaraRules']);
function failure(ctx: CliContext, subject: string, err: unknown): number {
  ctx.out.warn(`vtg: ${subject}: ${messageOf(err)}`);
  if (err instanceof CliFailure) return err.exitCode;
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && INPUT_ERRORS.has(code) ? EXIT.usage : EXIT.failure;
}

async function scanArchives(ctx: CliContext, files: string[], flags: ArchiveFlags): Promise<number> {
  let code: number = EXIT.ok;
  for (const file of files) {
    try {
      const result = await (await ctx.backend()).scanArchive(file, toOptions(flags));
      code = worstExit(code, outcome(ctx, result, flags));
    } catch (err) {
      code = worstExit(code, failure(ctx, file, err));
    }
  }
  return code;
}

export function registerContent(program: Command, ctx: CliContext): void {
  const scan = program.commands.find((c) => c.name() === 'scan') ?? program.command('scan');
  examples(
    archiveOptions(
      scan
        .command('archive')
        .description('scan archives (zip, 7z, rar, tar, gz, bz2, xz, zstd, cab, ar/.deb) member by member: hashed in memory, looked up by hash, never uploaded unless --upload-unknown')
        .argument('<file...>', 'archives (any file works: a non-archive is hashed and looked up)'),
    ).action(action(ctx, (files: string[], flags: ArchiveFlags) => scanArchives(ctx, files, flags))),
    ['vtg scan archive sample.zip --json', 'vtg scan archive drop.7z --password s3cret --yara ./rules', "vtg scan archive pkg.deb --fail-on malicious --fail-on yara"],
  );
  examples(
    archiveOptions(
      scan
        .command('fetch')
        .description('download a file over http(s) (private and internal addresses refused, VTG_FETCH_ALLOWLIST excepted), then scan it like an archive')
        .argument('<url>', 'http or https URL; presigned S3/MinIO links work (the query string is never printed)'),
    ).action(
      action(ctx, async (url: string, flags: ArchiveFlags) => {
        try {
          return outcome(ctx, await (await ctx.backend()).scanFetch(url, toOptions(flags)), flags);
        } catch (err) {
          return failure(ctx, 'fetch', err);
        }
      }),
    ),
    ["vtg scan fetch 'https://bucket.s3.amazonaws.com/drop.zip?X-Amz-Signature=...' --json"],
  );
  registerYaraAndWatch(program, ctx);
}
