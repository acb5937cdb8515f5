/**
 * Every `vtg` command, in the order `vtg --help` lists them (see program.ts for how they load).
 *
 * To add a command: write `src/cli/commands/<name>.ts` exporting `register<Name>(program, ctx)` (keep
 * its top-level imports light: load heavy modules inside the action), then add one line here:
 *   { names: ['file'], load: async () => (await import('./commands/file.js')).registerFile },
 * program.test.ts fails when an entry's names miss a command its module registers.
 */
import { LOOKUP } from './lookup-entry.js';
import type { CommandEntry } from './program.js';

export const COMMANDS: readonly CommandEntry[] = [
  LOOKUP,
  { names: ['file', 'url', 'domain', 'ip'], load: async () => (await import('./commands/objects.js')).registerObjects },
  { names: ['scan', 'rescan', 'analysis'], load: async () => (await import('./commands/scan.js')).registerScan },
  { names: ['scan', 'yara', 'watch'], load: async () => (await import('./commands/content.js')).registerContent },
  { names: ['batch'], load: async () => (await import('./commands/batch.js')).registerBatch },
  { names: ['enrich'], load: async () => (await import('./commands/enrich.js')).registerEnrich },
  { names: ['quota'], load: async () => (await import('./commands/quota.js')).registerQuota },
  { names: ['cache'], load: async () => (await import('./commands/cache.js')).registerCache },
  { names: ['cache'], load: async () => (await import('./commands/cache-warm.js')).registerCacheWarm },
  { names: ['history'], load: async () => (await import('./commands/history.js')).registerHistory },
  { names: ['watchlist'], load: async () => (await import('./commands/watchlist.js')).registerWatchlist },
  { names: ['refresh'], load: async () => (await import('./commands/refresh.js')).registerRefresh },
  { names: ['search', 'related'], load: async () => (await import('./commands/search.js')).registerSearch },
  { names: ['export'], load: async () => (await import('./commands/export.js')).registerExport },
  { names: ['health', 'providers', 'changes'], load: async () => (await import('./commands/status.js')).registerStatus },
  { names: ['token'], load: async () => (await import('./commands/token.js')).registerToken },
  { names: ['serve'], load: async () => (await import('./commands/serve.js')).registerServe },
  { names: ['mock'], load: async () => (await import('./commands/mock.js')).registerMock },
  { names: ['config'], load: async () => (await import('./commands/config.js')).registerConfig },
  { names: ['completion'], load: async () => (await import('./commands/completion.js')).registerCompletion, tree: true },
  { names: ['version'], load: async () => (await import('./commands/version.js')).registerVersion },
];
