/** The search filter flags shared by `vtg search` and `vtg export`, and the call to a remote server. */
import { type Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { CliFailure, exitCodeForCode, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

export interface FilterFlags {
  since?: string;
  until?: string;
  kind?: string;
  verdict?: string;
  minDetections?: string;
  label?: string;
  provider?: string;
  tag?: string;
  source?: string;
  text?: string;
  after?: string;
}

export function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('--since <time>', 'last seen at or after: ISO 8601, epoch ms, or an age (24h, 7d, 2w)')
    .option('--until <time>', 'last seen at or before (same forms)')
    .addOption(new Option('--kind <kind>', 'indicator kind').choices(['file', 'url', 'domain', 'ip']))
    .option('--verdict <list>', 'malicious, suspicious, harmless, undetected, not_found, unknown (comma-separated: any of them)')
    .option('--min-detections <n>', 'at least N engines flagged it')
    .option('--label <text>', 'threat label contains TEXT (case-insensitive)')
    .addOption(new Option('--provider <name>', 'answered by this provider').choices(['virustotal', 'urlhaus', 'dshield', 'spur']))
    .option('--tag <tag>', 'carries this VirusTotal tag')
    .option('--source <source>', 'came from batch:<id>, cowrie:<run>, ...')
    .option('--text <text>', 'free text: part of the value or of a file name')
    .option('--after <cursor>', 'feed cursor: only what changed since that export (X-Feed-Cursor / feedCursor)');
}

/** The flags as the HTTP query parameters (and `searchParamsSchema` input). */
export function filterParams(f: FilterFlags): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  put('since', f.since);
  put('until', f.until);
  put('kind', f.kind);
  put('verdict', f.verdict);
  put('min_detections', f.minDetections);
  put('label', f.label);
  put('provider', f.provider);
  put('tag', f.tag);
  put('source', f.source);
  put('q', f.text);
  put('after', f.after);
  return out;
}

/** Validates the parameters as the server would (exit 2 with the reason). */
export async function validatedParams(params: Record<string, string>): Promise<import('../../search/index.js').SearchParams> {
  const { searchParamsSchema } = await import('../../search/index.js');
  const parsed = searchParamsSchema.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = String(issue.path[0] ?? 'filter');
    throw new UsageError(`--${flag === 'q' ? 'text' : flag.replace(/_/g, '-')}: ${issue.message}`);
  }
  return parsed.data;
}

/** GET on the --server; an error answer becomes a CLI failure with the server's message. */
export async function remoteGet(ctx: CliContext, path: string, params: Record<string, string>): Promise<Response> {
  const server = ctx.serverUrl!.replace(/\/+$/, '');
  const token = ctx.io.env.VTG_TOKEN;
  let res: Response;
  try {
    res = await fetch(`${server}${path}?${new URLSearchParams(params)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (err) {
    throw new CliFailure(`cannot reach ${server}: ${(err as Error).message}`, 'ServerUnreachable', EXIT.failure);
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    const code = body?.error?.code ?? `HTTP${res.status}`;
    throw new CliFailure(body?.error?.message ?? `the server answered ${res.status}`, code, res.status === 400 ? EXIT.usage : exitCodeForCode(code));
  }
  return res;
}
