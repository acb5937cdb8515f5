// The real `vtg` CLI run from source (node --import tsx), so cluster drills need no build.
import { run } from '../../cli/main.js';

process.exitCode = await run(process.argv.slice(2));
