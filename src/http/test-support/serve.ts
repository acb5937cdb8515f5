// A server process for tests that kill it: `node --import tsx src/http/test-support/serve.ts <dataDir> <port>`.
// Config comes from the environment (e.g. VT_API_KEY + VTG_VIRUSTOTAL_URL pointing at a test's simulator).
import { loadConfig } from '../../config/index.js';
import { Gateway } from '../../gateway/index.js';
import { startServer } from '../server.js';

const [dataDir, portText] = process.argv.slice(2);
if (!dataDir || !portText) {
  process.stderr.write('usage: serve.ts <dataDir> <port>\n');
  process.exit(2);
}
const port = Number(portText);
const config = loadConfig({ env: process.env, overrides: { dataDir, port, host: '127.0.0.1' } });
const gateway = await Gateway.open({ config });
const server = await startServer({ gateway, host: '127.0.0.1', port, logStream: process.stderr });
process.stdout.write(`listening ${server.url}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  await gateway.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
