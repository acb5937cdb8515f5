/** `vtg version`: the package version (and Node's). */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { action } from './common.js';

export function registerVersion(program: Command, ctx: CliContext, version: string): void {
  program
    .command('version')
    .description('print the version')
    .action(action(ctx, async () => {
      ctx.out.object({ version, node: process.versions.node }, () => [`vtg ${version} (node ${process.versions.node})`]);
      return EXIT.ok;
    }));
}
