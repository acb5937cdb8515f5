/**
 * `vtg config init|show|path`: the config file. `init` asks for the keys with hidden input on a
 * terminal, or reads them from stdin (one per line: VirusTotal key, URLhaus key, SPUR key, DShield
 * e-mail; blank lines skip), and writes the file with mode 0600. Keys are never arguments.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import type { FileConfig } from '../../config/index.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { flatten, keyValueLines } from '../format/output.js';
import { readAll } from '../inputs.js';
import { PromptAborted, readHidden, readVisible } from '../secret-input.js';
import { action, examples } from './common.js';

export function registerConfig(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('the config file (keys, limits, data dir)');
  examples(config, [
    'vtg config init                      # asks for the keys without echo',
    'echo "$VT_KEY" | vtg config init     # from a secret store, no terminal',
    'vtg config show',
    'vtg config show --json | jq .virustotal.limits',
  ]);
  config
    .command('init')
    .description('write the config file (mode 0600) with the VirusTotal key and optional URLhaus/SPUR keys and DShield e-mail')
    .action(action(ctx, () => init(ctx)));
  config
    .command('show')
    .description('the effective configuration (file + environment + flags), secrets masked')
    .action(action(ctx, () => show(ctx)));
  config
    .command('path')
    .description('where the config file is read from')
    .action(action(ctx, async () => {
      const { defaultConfigFile } = await import('../../config/index.js');
      const path = ctx.globals.config ?? defaultConfigFile(ctx.env);
      ctx.out.object({ path, exists: existsSync(path) }, () => [path]);
      return EXIT.ok;
    }));
}

interface Answers {
  vt?: string;
  urlhaus?: string;
  spur?: string;
  email?: string;
}

async function ask(ctx: CliContext): Promise<Answers> {
  const io = ctx.io;
  if (io.stdin.isTTY && io.stdin.setRawMode) {
    try {
      return {
        vt: (await readHidden(io, 'VirusTotal API key (input hidden; blank keeps the current one): ')).trim(),
        urlhaus: (await readHidden(io, 'URLhaus Auth-Key (optional, hidden): ')).trim(),
        spur: (await readHidden(io, 'SPUR API token (optional, hidden): ')).trim(),
        email: (await readVisible(io, 'DShield contact e-mail (optional): ')).trim(),
      };
    } catch (err) {
      if (err instanceof PromptAborted) throw new UsageError('config init cancelled; nothing written');
      throw err;
    }
  }
  const [vt, urlhaus, spur, email] = (await readAll(io.stdin)).split(/\r?\n/).map((l) => l.trim());
  return { vt, urlhaus, spur, email };
}

async function readExisting(path: string): Promise<FileConfig> {
  if (!existsSync(path)) return {};
  const { loadConfig } = await import('../../config/index.js');
  try {
    loadConfig({ env: {}, file: path }); // validates the file (ConfigError says what is wrong)
    return JSON.parse(readFileSync(path, 'utf8')) as FileConfig;
  } catch (err) {
    throw new UsageError(`${path} exists but cannot be used: ${(err as Error).message}; fix or remove it first`);
  }
}

async function init(ctx: CliContext): Promise<number> {
  const { defaultConfigFile } = await import('../../config/index.js');
  const path = ctx.globals.config ?? defaultConfigFile(ctx.env);
  const current = await readExisting(path);
  const a = await ask(ctx);
  for (const s of [a.vt, a.urlhaus, a.spur]) ctx.addSecret(s);
  if (!a.vt && !current.virustotal?.apiKey) throw new UsageError('no VirusTotal key given (type it at the prompt, or pipe it: echo "$KEY" | vtg config init)');
  if (a.vt && /\s/.test(a.vt)) throw new UsageError('the VirusTotal key must not contain spaces');
  if (a.vt && !/^[0-9a-f]{64}$/i.test(a.vt)) ctx.out.warn('vtg: note: the key does not look like a VirusTotal key (64 hex characters); saved anyway');
  if (a.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a.email)) throw new UsageError('the DShield contact must be an e-mail address');

  const next: FileConfig = {
    ...current,
    virustotal: { ...current.virustotal, ...(a.vt ? { apiKey: a.vt } : {}) },
    ...(a.urlhaus || current.urlhaus ? { urlhaus: { ...current.urlhaus, ...(a.urlhaus ? { apiKey: a.urlhaus } : {}) } } : {}),
    ...(a.spur || current.spur ? { spur: { ...current.spur, ...(a.spur ? { apiKey: a.spur } : {}) } } : {}),
    ...(a.email || current.dshield ? { dshield: { ...current.dshield, ...(a.email ? { email: a.email } : {}) } } : {}),
  };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);

  const mask = (s?: string) => (s ? `${s.slice(0, 4)}${'*'.repeat(8)} (${s.length} chars)` : null);
  ctx.out.object(
    {
      path,
      mode: '0600',
      virustotal: mask(next.virustotal?.apiKey),
      urlhaus: mask(next.urlhaus?.apiKey),
      spur: mask(next.spur?.apiKey),
      dshield: next.dshield?.email ?? null,
    },
    () => [
      `wrote ${path} (mode 0600)`,
      ...keyValueLines(
        [
          ['virustotal', mask(next.virustotal?.apiKey) ?? '-'],
          ['urlhaus', mask(next.urlhaus?.apiKey) ?? '-'],
          ['spur', mask(next.spur?.apiKey) ?? '-'],
          ['dshield', next.dshield?.email ?? '-'],
        ],
        ctx.out.paint,
      ),
    ],
  );
  return EXIT.ok;
}

async function show(ctx: CliContext): Promise<number> {
  const { isTooOpen, redactedConfig } = await import('../../config/index.js');
  const config = await ctx.config();
  const red = redactedConfig(config) as Record<string, unknown>;
  if (config.configFile && isTooOpen(config.configFile)) ctx.out.warn(`vtg: warning: ${config.configFile} can be read by other users; run: chmod 600 ${config.configFile}`);
  ctx.out.object(red, () => {
    const flat = flatten(red);
    return keyValueLines(
      Object.entries(flat).map(([k, v]) => [k, v === undefined || v === null ? '-' : Array.isArray(v) ? v.join(', ') || '-' : String(v)] as const),
      ctx.out.paint,
    );
  });
  return EXIT.ok;
}
