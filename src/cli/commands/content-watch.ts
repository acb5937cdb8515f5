/** `vtg yara test|rules` and `vtg watch`. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ArchiveScanResult } from '../../archives/index.js';
import type { CliContext } from '../context.js';
import { CliFailure, messageOf } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { onInterrupt } from '../io.js';
import { action, examples, wholeNumber } from './common.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

async function yaraTest(ctx: CliContext, rulesPath: string, file: string): Promise<number> {
  const [{ YaraRules }, { scanArchiveBuffer }] = await Promise.all([import('../../yara/index.js'), import('../../archives/index.js')]);
  let rules: import('../../yara/index.js').YaraRules;
  try {
    rules = YaraRules.load(rulesPath);
  } catch (err) {
    ctx.out.warn(`vtg: ${rulesPath}: ${messageOf(err)}`);
    return EXIT.usage;
  }
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    ctx.out.warn(`vtg: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`);
    return EXIT.usage;
  }
  // The file itself, then (when it is an archive) every member, all without a lookup.
  const own = await rules.scan(data);
  const inner = await scanArchiveBuffer(data, file, {}, { yara: (d) => rules.scan(d) });
  const matches = [
    ...own.map((m) => ({ path: file, ...m })),
    ...(inner.archive.format ? inner.members.flatMap((m) => m.yara.map((y) => ({ path: `${file}!/${m.path}`, ...y }))) : []),
  ];
  ctx.out.object({ rules: rules.status().rules.length, file, matches }, () =>
    matches.length ? matches.map((m) => `${m.path}: ${m.rule}${m.tags.length ? ` [${m.tags.join(',')}]` : ''} at ${m.offsets.join(',')}`) : [`no rule matched ${file}`],
  );
  rules.close();
  return matches.length ? EXIT.ok : EXIT.failOn;
}

interface WatchFlags {
  recursive?: boolean;
  ignore?: string[];
  debounce: number;
  initial?: boolean;
  onMalicious?: string;
  yara?: string;
  password?: string[];
  uploadUnknown?: boolean;
}

async function watchDir(ctx: CliContext, dir: string, flags: WatchFlags): Promise<number> {
  const { FolderWatcher, parseAction, runAction } = await import('../../watch/index.js');
  let act: ReturnType<typeof parseAction> | null = null;
  try {
    act = flags.onMalicious ? parseAction(flags.onMalicious) : null;
  } catch (err) {
    ctx.out.warn(`vtg: ${messageOf(err)}`);
    return EXIT.usage;
  }
  // embedded: scanned here; with --server: each file is posted to the service, actions still run here
  const backend = await ctx.backend();
  const gwConfig = (await ctx.config()).server.webhookAllowlist;
  const onFile = async (path: string, sha256: string) => {
    const r: ArchiveScanResult = await backend.scanArchive(path, { ...(flags.yara ? { yaraDir: flags.yara } : {}), passwords: flags.password ?? [], uploadUnknown: flags.uploadUnknown === true });
    const bad = r.members.filter((m) => m.verdict === 'malicious');
    const yara = [...new Set(r.members.flatMap((m) => m.yara.map((y) => y.rule)))];
    const line = { path, sha256, verdict: bad.length ? 'malicious' : (r.members.find((m) => m.verdict !== 'unknown')?.verdict ?? 'unknown'), members: r.members.length, findings: r.findings.filter((f) => f.kind !== 'not_an_archive').length, yara };
    let done = '';
    if (bad.length && act) {
      done = await runAction(act, { path, sha256, verdict: 'malicious', detections: bad[0]?.detections ?? null, yara }, { webhookAllowlist: gwConfig, env: ctx.io.env }).catch((e) => `action failed: ${messageOf(e)}`);
    }
    // a stream of events: one JSON line per file, whether --json or --ndjson
    if (ctx.out.machine) ctx.out.line(JSON.stringify({ ...line, action: done || null }));
    else ctx.out.line(`${line.verdict.padEnd(10)} ${path}${yara.length ? `  yara: ${yara.join(',')}` : ''}${line.findings ? `  ${line.findings} finding(s)` : ''}${done ? `  -> ${done}` : ''}`);
  };
  const watcher = new FolderWatcher(dir, {
    recursive: flags.recursive,
    ignore: flags.ignore,
    debounceMs: flags.debounce,
    initial: flags.initial,
    onFile,
    onError: (p, e) => ctx.out.warn(`vtg: ${p}: ${messageOf(e)}`),
  });
  try {
    await watcher.start();
  } catch (err) {
    ctx.out.warn(`vtg: cannot watch ${dir}: ${messageOf(err)}`);
    return EXIT.usage;
  }
  ctx.out.info(`watching ${dir}${flags.recursive ? ' (recursive)' : ''}; Ctrl-C stops`);
  await new Promise<void>((resolve) => onInterrupt(() => resolve()));
  watcher.stop();
  await watcher.idle();
  return EXIT.ok;
}

export function registerYaraAndWatch(program: Command, ctx: CliContext): void {
  const yara = program.command('yara').description('local YARA rules (free of quota)');
  examples(
    yara
      .command('test')
      .description('run rules on a file (and on its members when it is an archive); exit 0 when a rule matched, 1 when none did')
      .argument('<rules>', 'a .yar/.yara file or a directory of them')
      .argument('<file>', 'the file to test')
      .action(action(ctx, (rules: string, file: string) => yaraTest(ctx, rules, file))),
    ['vtg yara test ./rules sample.zip', 'vtg yara test eicar.yar eicar.com --json'],
  );
  yara
    .command('rules')
    .description('list the rules in use (--yara DIR or VTG_YARA_DIR) and the last compile error')
    .option('--yara <dir>', 'rules directory (default VTG_YARA_DIR)')
    .action(
      action(ctx, async (flags: { yara?: string }) => {
        try {
          const status = await (await ctx.backend()).yaraRules(flags.yara);
          ctx.out.object(status, () => [`${status.dir ?? '(no rules configured)'}: ${status.rules.length} rule(s) in ${status.files} file(s)`, ...status.rules.map((r) => `  ${r.name}  ${r.file}${r.tags.length ? `  [${r.tags.join(',')}]` : ''}`), ...(status.error ? [`error: ${status.error}`] : [])]);
          return EXIT.ok;
        } catch (err) {
          if (err instanceof CliFailure) throw err;
          ctx.out.warn(`vtg: ${messageOf(err)}`);
          return EXIT.usage;
        }
      }),
    );
  examples(
    program
      .command('watch')
      .description('scan each new or changed file in a folder (hash first), with actions on a malicious verdict')
      .argument('<dir>', 'folder to watch')
      .option('-r, --recursive', 'watch subfolders too')
      .option('--ignore <glob>', 'skip paths matching the glob (repeatable), e.g. "*.part"', collect)
      .option('--debounce <ms>', 'wait this long after the last change before scanning', wholeNumber, 500)
      .option('--initial', 'also scan the files already there')
      .option('--on-malicious <action>', 'move:<dir> (quarantine under the sha256), exec:<command> (path appended, no shell), webhook:<url>')
      .option('--yara <dir>', 'rules to run on every file (default VTG_YARA_DIR)')
      .option('-p, --password <password>', 'archive password to try (repeatable)', collect)
      .option('--upload-unknown', 'upload files VirusTotal does not know (shared with its partners)')
      .action(action(ctx, (dir: string, flags: WatchFlags) => watchDir(ctx, dir, flags))),
    ['vtg watch ~/Downloads --recursive --ignore "*.crdownload" --on-malicious move:/var/quarantine', 'vtg watch /srv/upload --on-malicious "exec:/usr/local/bin/alert --severity high" --json'],
  );
}
