/** Small helpers shared by the command modules. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Priority } from '../../gateway/index.js';
import { PROVIDERS as ALL_PROVIDERS, type ProviderName } from '../../providers/types.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { exitCodeFor, messageOf, UsageError } from '../errors.js';

export const PRIORITIES: Priority[] = ['interactive', 'batch', 'background'];
export const PROVIDERS: ProviderName[] = [...ALL_PROVIDERS];

export function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds >= 0');
  return n;
}

export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number >= 0');
  return Number(value);
}

export function port(value: string): number {
  const n = wholeNumber(value);
  if (n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}

export function priorityOption(defaultValue?: Priority): Option {
  const o = new Option('--priority <class>', 'scheduling class for upstream calls').choices(PRIORITIES);
  return defaultValue ? o.default(defaultValue) : o;
}

/** `--providers a,b`: known provider names, or undefined for all of them. */
export function parseProviders(text: string | undefined): ProviderName[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of names) if (!(PROVIDERS as string[]).includes(p)) throw new UsageError(`--providers: unknown provider "${p}" (use ${PROVIDERS.join(', ')})`);
  if (names.length === 0) throw new UsageError(`--providers: name at least one of ${PROVIDERS.join(', ')}`);
  return names as ProviderName[];
}

export function providerOption(description = 'provider to ask'): Option {
  return new Option('--provider <name>', description).choices(PROVIDERS);
}

/** Wraps an action so its returned exit code is recorded on the context. */
export function action<A extends unknown[]>(ctx: CliContext, fn: (...args: A) => Promise<number | undefined>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    ctx.setGlobals(cmd.optsWithGlobals() as GlobalOptions);
    void ctx.out; // validates the output flags before any work starts
    const code = await fn(...(args as A));
    if (code !== undefined) ctx.fail(code);
  };
}

/** Runs `fn` over `items` with at most `limit` at once; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Reports one failed item on stderr and returns its exit code. */
export function reportError(ctx: CliContext, subject: string, err: unknown): number {
  ctx.out.warn(`vtg: ${subject}: ${messageOf(err)}`);
  return exitCodeFor(err);
}

/** Adds "Examples:" to a command's help. */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}
