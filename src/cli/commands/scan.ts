/**
 * `vtg scan file|url`, `vtg analysis <id>` and `vtg rescan`: hash first (a known file is answered
 * from its report unless --force), uploads and URL submissions through the governor, and bounded
 * waiting for analyses.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import type { AnalysisView, LookupResult, Priority, ScanResult } from '../../gateway/index.js';
import { sha256Hex } from '../../indicators/hash.js';
import type { Backend } from '../backend/index.js';
import type { CliContext } from '../context.js';
import { CliFailure, UsageError } from '../errors.js';
import { EXIT, worstExit } from '../exit-codes.js';
import { collectFailOn, type FailRule, gate } from '../fail-on.js';
import { paintVerdict } from '../format/color.js';
import { detectionsText } from '../format/lookup-rows.js';
import { permalinkOf } from '../../indicators/index.js';
import { keyValueLines } from '../format/output.js';
import { quotaLeftText } from '../format/quota.js';
import { indicatorsFromArgs } from '../inputs.js';
import { onInterrupt } from '../io.js';
import { createProgress, governorEta } from '../progress.js';
import { action, examples, priorityOption, reportError, seconds } from './common.js';

interface ScanFlags {
  wait?: boolean;
  timeout: number;
  force?: boolean;
  password?: string;
  priority: Priority;
  failOn?: FailRule[];
  /** rescan only. */
  kind?: 'file' | 'url';
}

interface ScanRecord {
  subject: string;
  target: string;
  kind: string;
  status: 'known' | 'submitted' | 'completed' | 'pending';
  analysisId: string | null;
  verdict: string | null;
  detections: number | null;
  engines: number | null;
  threat: string | null;
  /** The object on VirusTotal's web UI. */
  permalink: string | null;
  /** Local YARA rules that matched (files, when rules are configured). */
  yara: string[];
  result: LookupResult | null;
}

const SCAN_COLUMNS = [
  { key: 'subject', header: 'TARGET', width: 40 },
  { key: 'status', width: 9 },
  { key: 'verdict', width: 10, text: (r: ScanRecord, p: Parameters<typeof paintVerdict>[0]) => (r.verdict ? paintVerdict(p, r.verdict) : '-') },
  { key: 'detections', width: 10, right: true, text: (r: ScanRecord) => (r.result ? detectionsText(r.detections, r.engines) : '-') },
  { key: 'engines', hidden: true, csv: true },
  { key: 'threat', width: 20, text: (r: ScanRecord) => r.threat ?? '' },
  { key: 'analysisId', header: 'ANALYSIS', text: (r: ScanRecord) => r.analysisId ?? '' },
  { key: 'yara', hidden: true, csv: true, text: (r: ScanRecord) => r.yara.join(',') },
  { key: 'target', hidden: true, csv: true },
  { key: 'kind', hidden: true },
  { key: 'permalink', hidden: true },
];

export function registerScan(program: Command, ctx: CliContext): void {
  const scan = program.command('scan').description('submit files or URLs for analysis (files: hash first, upload only when unknown)');
  const common = (c: Command) =>
    c
      .option('-w, --wait', 'wait for each analysis to complete and print its verdict')
      .option('--timeout <sec>', 'longest wait per analysis with --wait', seconds, 600)
      .addOption(priorityOption('interactive'))
      .option('--fail-on <rule>', 'exit 1 when a report meets RULE (see `vtg lookup --help`); repeatable', collectFailOn);

  examples(
    common(
      scan
        .command('file')
        .description('scan files (directories are recursed; symlinks are not followed)')
        .argument('<path...>', 'files or directories; `-` reads paths from stdin')
        .option('-f, --force', 'upload even when VirusTotal already knows the file')
        .option('-p, --password <password>', 'password of an encrypted ZIP (not the API key)'),
    ).action(action(ctx, (paths: string[], flags: ScanFlags) => scanFiles(ctx, paths, flags))),
    ['vtg scan file sample.exe', 'vtg scan file ./downloads --wait --timeout 300', 'vtg scan file infected.zip --password infected --force'],
  );
  examples(
    common(
      scan
        .command('url')
        .description('submit URLs for scanning')
        .argument('<url...>', 'URLs; `-` reads them from stdin'),
    ).action(action(ctx, (urls: string[], flags: ScanFlags) => scanUrls(ctx, urls, flags))),
    ['vtg scan url https://example.com/login --wait'],
  );
  examples(
    common(
      program
        .command('rescan')
        .description('ask VirusTotal to analyse a known file (hash) or URL again')
        .argument('<indicator...>', 'hashes or URLs')
        .addOption(new Option('--kind <kind>', 'what a bare 64-hex id names: a file SHA-256 (default) or a VirusTotal URL id').choices(['file', 'url'])),
    ).action(action(ctx, (inputs: string[], flags: ScanFlags) => rescan(ctx, inputs, flags))),
    ['vtg rescan 44d88612fea8a8f36de82e1278abb02f --wait', 'vtg rescan https://example.com/login', 'vtg rescan <url-id> --kind url'],
  );
  examples(
    program
      .command('analysis')
      .description('show an analysis (from `vtg scan`); polls upstream sparingly')
      .argument('<id>', 'analysis id')
      .option('-w, --wait', 'wait until it completes')
      .option('--timeout <sec>', 'longest wait with --wait', seconds, 600)
      .action(action(ctx, (id: string, flags: { wait?: boolean; timeout: number }) => analysis(ctx, id, flags))),
    ['vtg analysis ZmVkYWRjY2Q4...== --wait'],
  );
}

/** Regular files under the given paths, directories recursed in name order; symlinks skipped. */
async function expandPaths(ctx: CliContext, paths: string[]): Promise<{ files: string[]; code: number; sawDirectory: boolean }> {
  const files: string[] = [];
  let code: number = EXIT.ok;
  let sawDirectory = false;
  const walk = async (dir: string) => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  for (const path of paths) {
    try {
      const st = await stat(path);
      if (st.isDirectory()) {
        sawDirectory = true;
        await walk(path);
      } else if (st.isFile()) files.push(path);
      else throw new Error('not a regular file');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
      ctx.out.warn(`vtg: ${path}: ${reason}`);
      code = EXIT.usage;
    }
  }
  return { files, code, sawDirectory };
}

function recordOf(subject: string, scan: ScanResult, result: LookupResult | null, status: ScanRecord['status']): ScanRecord {
  const r = result?.report;
  return {
    subject,
    target: scan.target,
    kind: scan.kind,
    status,
    analysisId: scan.analysisId,
    verdict: r ? (r.found ? r.verdict : 'not_found') : null,
    detections: r ? (r.detections ?? r.stats?.malicious ?? null) : null,
    engines: r ? (r.engines ?? r.stats?.engines ?? null) : null,
    threat: r?.threatLabel ?? null,
    permalink: permalinkOf(scan.kind, result?.indicator.id ?? (scan.kind === 'url' ? sha256Hex(scan.target) : scan.target)),
    yara: scan.yara?.map((m) => m.rule) ?? [],
    result,
  };
}

/** Polls an analysis until it completes or `timeoutSec` passes; undefined on timeout. */
async function waitFor(backend: Backend, id: string, timeoutSec: number, signal: AbortSignal): Promise<AnalysisView | undefined> {
  const deadline = Date.now() + timeoutSec * 1000;
  for (;;) {
    const left = deadline - Date.now();
    const view = await backend.analysis(id, { waitMs: Math.max(0, Math.min(left, 60_000)), signal });
    if (view.status === 'completed') return view;
    if (Date.now() >= deadline || signal.aborted) return undefined;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function finish(ctx: CliContext, backend: Backend, subject: string, scan: ScanResult, flags: ScanFlags, signal: AbortSignal): Promise<{ record: ScanRecord; code: number }> {
  if (scan.yara?.length) ctx.out.info(`vtg: ${subject}: YARA: ${scan.yara.map((m) => m.rule).join(', ')}`);
  if (!scan.submitted) return { record: recordOf(subject, scan, scan.report ?? null, 'known'), code: EXIT.ok };
  if (!flags.wait || !scan.analysisId) {
    if (scan.analysisId) ctx.out.info(`vtg: ${subject}: submitted; follow it with: vtg analysis ${scan.analysisId} --wait`);
    return { record: recordOf(subject, scan, null, 'submitted'), code: EXIT.ok };
  }
  const view = await waitFor(backend, scan.analysisId, flags.timeout, signal);
  if (!view) {
    if (!signal.aborted) ctx.out.warn(`vtg: ${subject}: analysis ${scan.analysisId} not completed after ${flags.timeout}s; check later with: vtg analysis ${scan.analysisId}`);
    return { record: recordOf(subject, scan, null, 'pending'), code: signal.aborted ? EXIT.interrupted : EXIT.failure };
  }
  return { record: recordOf(subject, scan, await backend.analysisItem(scan.analysisId), 'completed'), code: EXIT.ok };
}

async function runScans(
  ctx: CliContext,
  subjects: string[],
  flags: ScanFlags,
  submit: (backend: Backend, subject: string, signal: AbortSignal) => Promise<ScanResult>,
  showProgress: boolean,
): Promise<number> {
  const backend = await ctx.backend();
  const controller = new AbortController();
  const dispose = onInterrupt(() => controller.abort(new Error('interrupted')));
  const stream = ctx.out.stream<ScanRecord>(SCAN_COLUMNS);
  const records: ScanRecord[] = [];
  const codes: number[] = [];
  // subjects that needed VirusTotal (an upload, a submission, a lookup it had to make): the governor's ETA counts their share
  let upstream = 0;
  const eta = governorEta(backend, 'virustotal', flags.priority, () => upstream);
  const progress = showProgress ? createProgress(ctx, 'scan', { quotaLeft: () => backend.quota().then(quotaLeftText), eta }) : undefined;
  let failed = 0;
  try {
    for (const [i, subject] of subjects.entries()) {
      if (controller.signal.aborted) break;
      progress?.update({ done: i, total: subjects.length, failed });
      try {
        const scan = await submit(backend, subject, controller.signal);
        if (scan.submitted || scan.report?.source === 'upstream') upstream++;
        const { record, code } = await finish(ctx, backend, subject, scan, flags, controller.signal);
        records.push(record);
        stream.push(record);
        codes.push(code);
      } catch (err) {
        if (controller.signal.aborted) break;
        failed++;
        codes.push(reportError(ctx, subject, err));
      }
    }
    progress?.stop({ done: records.length + failed, total: subjects.length, failed });
  } finally {
    dispose();
  }
  stream.end();
  if (controller.signal.aborted) {
    ctx.out.warn(`vtg: interrupted after ${records.length + failed} of ${subjects.length}`);
    return EXIT.interrupted;
  }
  const reports = records.flatMap((r) => (r.result ? [{ subject: r.subject, report: r.result.report }] : []));
  return worstExit(...codes, gate(flags.failOn ?? [], reports, (l) => ctx.out.warn(l)));
}

async function scanFiles(ctx: CliContext, paths: string[], flags: ScanFlags): Promise<number> {
  const { files, code, sawDirectory } = await expandPaths(ctx, await indicatorsFromArgs(paths, ctx.io));
  if (files.length === 0) {
    if (code === EXIT.ok) throw new UsageError('no files to scan');
    return code;
  }
  const result = await runScans(
    ctx,
    files,
    flags,
    (backend, path, signal) =>
      backend.scanFile(path, {
        priority: flags.priority,
        signal,
        ...(flags.force ? { force: true } : {}),
        ...(flags.password !== undefined ? { password: flags.password } : {}),
      }),
    sawDirectory || files.length > 1,
  );
  return worstExit(code, result);
}

async function scanUrls(ctx: CliContext, urls: string[], flags: ScanFlags): Promise<number> {
  const list = await indicatorsFromArgs(urls, ctx.io);
  if (list.length === 0) throw new UsageError('no URLs given');
  return runScans(ctx, list, flags, (backend, url, signal) => backend.scanUrl(url, { priority: flags.priority, signal }), list.length > 1);
}

async function rescan(ctx: CliContext, inputs: string[], flags: ScanFlags): Promise<number> {
  const list = await indicatorsFromArgs(inputs, ctx.io);
  if (list.length === 0) throw new UsageError('no indicators given');
  return runScans(ctx, list, flags, (backend, input, signal) => backend.rescan(input, { priority: flags.priority, signal, ...(flags.kind ? { kind: flags.kind } : {}) }), list.length > 1);
}

async function analysis(ctx: CliContext, id: string, flags: { wait?: boolean; timeout: number }): Promise<number> {
  const backend = await ctx.backend();
  const controller = new AbortController();
  const dispose = onInterrupt(() => controller.abort(new Error('interrupted')));
  let view: AnalysisView | undefined;
  try {
    view = flags.wait ? await waitFor(backend, id, flags.timeout, controller.signal) : await backend.analysis(id, {});
  } finally {
    dispose();
  }
  if (!view) {
    if (controller.signal.aborted) return EXIT.interrupted;
    throw new CliFailure(`analysis ${id} not completed after ${flags.timeout}s`, 'Timeout', EXIT.failure);
  }
  const item = view.status === 'completed' ? await backend.analysisItem(id).catch(() => null) : null;
  const v = view;
  ctx.out.object({ ...v, item }, () => [
    ...keyValueLines(
      [
        ['id', v.id],
        ['status', v.status],
        ['stats', Object.entries(v.stats).map(([k, n]) => `${k} ${n}`).join(', ') || '-'],
        ...(item
          ? ([
              ['item', item.report.indicator],
              ['verdict', paintVerdict(ctx.out.paint, item.report.verdict)],
              ['detections', detectionsText(item.report.detections ?? null, item.report.engines ?? null, item.report.stats?.suspicious)],
            ] as Array<[string, string]>)
          : []),
      ],
      ctx.out.paint,
    ),
  ]);
  return EXIT.ok;
}
