/**
 * `vtg file|url|domain|ip`: vt-cli's object commands through the gateway (cache, governor). The
 * work lives in object-run.ts, loaded only when one of these commands runs.
 */
import type { Command } from 'commander';
import { VT_RELATIONSHIPS } from '../../providers/virustotal/relationships.js';
import type { CliContext } from '../context.js';
import { action, examples, seconds, wholeNumber } from './common.js';
import { OBJECT_COMMANDS, type ObjectCommandSpec, type ObjectFlags } from './object-spec.js';

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

function register(program: Command, ctx: CliContext, spec: ObjectCommandSpec): void {
  const names = Object.keys(VT_RELATIONSHIPS[spec.collection]);
  const cmd = program
    .command(spec.kind)
    .description(`VirusTotal's view of ${spec.what}: verdict, engines, details, permalink; or a relationship (as vt-cli's \`vt ${spec.kind}\`)`)
    .usage(`[options] <${spec.kind}...>  |  <relationship> <${spec.kind}>  |  relationships`)
    .argument('[args...]', `${spec.kind}s (\`-\` reads them from stdin, one per line), or a relationship name and one ${spec.kind}`)
    .option('-i, --include <glob>', "attributes to show (vt-cli globs: `.` between levels, `*` one level, `**` any); repeatable or comma-separated", collect)
    .option('-x, --exclude <glob>', 'attributes to leave out (same globs); repeatable or comma-separated', collect)
    .option('--all-engines', 'list every engine in the view (default: the engines that detected it)')
    .option('-n, --limit <n>', 'relationship items to list (default 10; pages of up to 40 are fetched as needed)', wholeNumber)
    .option('-c, --cursor <cursor>', 'continue a relationship listing where the previous one stopped')
    .option('--max-age <sec>', 'refetch the object when the cached answer is older than this (0 forces a fresh answer)', seconds)
    .option('--cache-only', 'never spend quota: answer objects from the cache or fail (exit 3)')
    .option('--no-wait', 'fail at once (exit 3) instead of waiting when the quota is out and nothing is cached')
    .addHelpText('after', `\nRelationships of ${spec.kind} objects:\n${wrap(names.join(', '))}`)
    .action(
      action(ctx, async (args: string[], flags: ObjectFlags) => {
        const { runObjectCommand } = await import('./object-run.js');
        return runObjectCommand(ctx, spec, args, flags);
      }),
    );
  examples(cmd, [
    `vtg ${spec.kind} ${spec.sample}`,
    `vtg ${spec.kind} ${spec.sample} --json`,
    `vtg ${spec.kind} ${spec.sample} -i last_analysis_stats -i 'last_analysis_results.*.result'`,
    `vtg ${spec.kind} ${spec.relationship} ${spec.sample} --limit 20`,
    `vtg ${spec.kind} relationships`,
  ]);
}

function wrap(text: string, width = 96): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => `  ${l}`).join('\n');
}

export function registerObjects(program: Command, ctx: CliContext): void {
  for (const spec of Object.values(OBJECT_COMMANDS)) register(program, ctx, spec);
}
