/** Where the CLI's commands run: the embedded Gateway or a remote `vtg serve`. */
export type { Backend, CacheClearFilter, CliLookupOptions, RunOptions } from './types.js';
export { openEmbedded } from './embedded.js';
export { openRemote, type RemoteOptions } from './remote.js';
