/** Where the CLI's commands run: the embedded Gateway or a remote `vtg serve`. */
export type { Backend, CacheClearFilter, CliContentOptions, CliEnrichOptions, CliLookupOptions, FetchScanResult, RescanOptions, RunOptions } from './types.js';
// the implementations are imported on demand (context.ts), so commands that need neither start fast
export type { RemoteOptions } from './remote.js';
