/** The `vtg` command line. `bin/vtg.js` calls `run` from the build. */
export { run } from './main.js';
export type { CliIo } from './io.js';
export { EXIT } from './exit-codes.js';
