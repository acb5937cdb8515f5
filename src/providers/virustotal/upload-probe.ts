/**
 * Test helper run as a child process (not part of the public face): uploads one file with the
 * client and reports the peak RSS growth of this process while it did, as one JSON line.
 * Usage: node --import tsx upload-probe.ts <baseUrl> <apiKey> <path>
 */
import { VirusTotalClient } from './client.js';

const [baseUrl, apiKey, path] = process.argv.slice(2) as [string, string, string];
const client = new VirusTotalClient({ apiKey, baseUrl, timeoutMs: 30_000 });
const before = process.memoryUsage.rss();
let peak = before;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 5);
try {
  const descriptor = await client.scanFile(path, { filename: 'probe.bin' });
  peak = Math.max(peak, process.memoryUsage.rss());
  process.stdout.write(`${JSON.stringify({ id: descriptor.id, rssGrowth: peak - before })}\n`);
} finally {
  clearInterval(sampler);
  await client.close();
}
