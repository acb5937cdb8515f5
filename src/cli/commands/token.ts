/** `vtg token create|list|update|revoke`: client tokens for `vtg serve` (works while a server runs on the same data dir). */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { TokenChanges, TokenRecord, TokenRole, TokenUploadPolicy } from '../../gateway/index.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { keyValueLines } from '../format/output.js';
import { isoTime } from '../format/time.js';
import { action, examples, wholeNumber } from './common.js';

const ROLES: TokenRole[] = ['admin', 'analyst', 'reader'];
const POLICIES: TokenUploadPolicy[] = ['never', 'unknown-only', 'always'];
const POLICY_HELP = "whether scans on this token's behalf may upload files to VirusTotal, which shares uploads with its partners (never: hash lookups only)";

/** `--daily-budget none` and `--upload-policy default` clear the setting. */
function budgetValue(v: string): number | null {
  if (v === 'none') return null;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--daily-budget: expected a whole number >= 0 or 'none', got "${v}"`);
  return Number(v);
}

function policyText(p: TokenUploadPolicy | null): string {
  return p ?? 'server default';
}

export function registerToken(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('client tokens for the HTTP service (only a hash is stored)');
  examples(token, [
    'vtg token create soar --role analyst --daily-budget 200',
    'vtg token create --name ci --role reader --json | jq -r .token',
    'vtg token create ci-scanner --role analyst --upload-policy never',
    'vtg token list',
    'vtg token update soar --upload-policy unknown-only --daily-budget 500',
    'vtg token revoke soar',
  ]);
  token
    .command('create')
    .description('create a token; it is printed once and cannot be shown again')
    .argument('[name]', 'a unique name (or --name)')
    .option('--name <name>', 'a unique name (same as the argument)')
    .addOption(new Option('--role <role>', 'admin: everything; analyst: lookups, scans, batches; reader: cached answers only').choices(ROLES).makeOptionMandatory())
    .option('--daily-budget <n>', 'max upstream calls per UTC day charged to this token', wholeNumber)
    .addOption(new Option('--upload-policy <policy>', POLICY_HELP).choices(POLICIES))
    .action(
      action(ctx, (name: string | undefined, flags: { name?: string; role: TokenRole; dailyBudget?: number; uploadPolicy?: TokenUploadPolicy }) => {
        if (name !== undefined && flags.name !== undefined && name !== flags.name) throw new UsageError(`two names given: ${JSON.stringify(name)} and --name ${JSON.stringify(flags.name)}`);
        const chosen = name ?? flags.name;
        if (chosen === undefined) throw new UsageError('name the token: vtg token create <name> --role <role>');
        return create(ctx, { ...flags, name: chosen });
      }),
    );
  token
    .command('list')
    .description('every token (never the token itself)')
    .action(action(ctx, () => list(ctx)));
  token
    .command('update')
    .description("change a live token's daily budget or upload policy")
    .argument('<id|name>')
    .option('--daily-budget <n>', "max upstream calls per UTC day ('none' removes the cap)")
    .addOption(new Option('--upload-policy <policy>', `${POLICY_HELP}; 'default' goes back to the server's`).choices([...POLICIES, 'default']))
    .action(action(ctx, (idOrName: string, flags: { dailyBudget?: string; uploadPolicy?: TokenUploadPolicy | 'default' }) => update(ctx, idOrName, flags)));
  token
    .command('revoke')
    .description('revoke a token by id or name')
    .argument('<id|name>')
    .action(action(ctx, (idOrName: string) => revoke(ctx, idOrName)));
}

async function create(ctx: CliContext, flags: { name: string; role: TokenRole; dailyBudget?: number; uploadPolicy?: TokenUploadPolicy }): Promise<number> {
  if (flags.name.trim() === '') throw new UsageError('the token name must not be empty');
  const backend = await ctx.backend();
  const created = await backend.createToken({ name: flags.name, role: flags.role, dailyBudget: flags.dailyBudget ?? null, uploadPolicy: flags.uploadPolicy ?? null });
  const r = created.record;
  ctx.out.object({ token: created.token, ...r }, () => [
    created.token,
    '',
    ...tokenLines(ctx, r),
    '',
    ctx.out.paint('yellow', 'This token is shown once: store it now (clients send it as "Authorization: Bearer <token>").'),
  ]);
  return EXIT.ok;
}

/** A token's settings as the key/value lines create and update print. */
function tokenLines(ctx: CliContext, r: TokenRecord): string[] {
  return keyValueLines(
    [
      ['id', r.id],
      ['name', r.name],
      ['role', r.role],
      ['daily budget', r.dailyBudget === null ? 'none' : String(r.dailyBudget)],
      ['upload policy', policyText(r.uploadPolicy)],
    ],
    ctx.out.paint,
  );
}

async function list(ctx: CliContext): Promise<number> {
  const backend = await ctx.backend();
  ctx.out.list(
    await backend.listTokens(),
    [
      { key: 'id' },
      { key: 'name' },
      { key: 'role' },
      { key: 'dailyBudget', header: 'DAILY BUDGET', text: (t: TokenRecord) => (t.dailyBudget === null ? '-' : String(t.dailyBudget)) },
      { key: 'uploadPolicy', header: 'UPLOADS', text: (t: TokenRecord) => (t.uploadPolicy ?? '-') },
      { key: 'createdAt', header: 'CREATED', text: (t) => isoTime(t.createdAt) },
      { key: 'revokedAt', header: 'REVOKED', text: (t, p) => (t.revokedAt ? p('red', isoTime(t.revokedAt)) : '-') },
    ],
    { empty: 'no tokens' },
  );
  return EXIT.ok;
}

async function update(ctx: CliContext, idOrName: string, flags: { dailyBudget?: string; uploadPolicy?: TokenUploadPolicy | 'default' }): Promise<number> {
  const changes: TokenChanges = {};
  if (flags.dailyBudget !== undefined) changes.dailyBudget = budgetValue(flags.dailyBudget);
  if (flags.uploadPolicy !== undefined) changes.uploadPolicy = flags.uploadPolicy === 'default' ? null : flags.uploadPolicy;
  if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: give --daily-budget or --upload-policy');
  const backend = await ctx.backend();
  const r = await backend.updateToken(idOrName, changes);
  if (!r) {
    ctx.out.warn(`vtg: no live token with id or name "${idOrName}"`);
    return EXIT.usage;
  }
  ctx.out.object(r, () => tokenLines(ctx, r));
  return EXIT.ok;
}

async function revoke(ctx: CliContext, idOrName: string): Promise<number> {
  const backend = await ctx.backend();
  const ok = await backend.revokeToken(idOrName);
  if (!ok) {
    ctx.out.warn(`vtg: no live token with id or name "${idOrName}"`);
    return EXIT.usage;
  }
  ctx.out.object({ revoked: idOrName }, () => [`revoked ${idOrName}`]);
  return EXIT.ok;
}
