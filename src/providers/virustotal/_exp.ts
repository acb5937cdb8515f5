import { mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMock } from '../../mock/index.js';
import { VirusTotalClient } from './index.js';
import { startLocalServer, sendJson } from './test-support.js';
import { createServer } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dir = await mkdtemp(join(tmpdir(), 'exp-'));
const path = join(dir, 'big.bin'); await writeFile(path, ''); await truncate(path, 33 * 1024 * 1024);
const mode = process.argv[2];
let url: string; let close: () => Promise<void>;
if (mode === 'child') { const { spawn } = await import('node:child_process'); const ch = spawn(process.execPath, ['/tmp/srv.mjs']); url = await new Promise<string>((r) => ch.stdout.once('data', (d) => r(String(d).trim()))); close = async () => { ch.kill(); }; }
else if (mode === 'mock') { const m = await startMock({ profile: 'premium' }); url = m.url; close = () => m.close(); }
else {
  let n = 0;
  const srv = createServer((req, res) => { req.on('data', (c: Buffer) => { n += c.length; }); req.on('end', () => {
    if (req.url?.includes('upload_url')) return sendJson(res, 200, { data: `${url}/_upload/x` });
    sendJson(res, 200, { data: { type: 'analysis', id: 'x' } }); }); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(srv.address() as any).port}`; close = async () => { srv.close(); };
}
const c = new VirusTotalClient({ apiKey: 'k-123456', baseUrl: url });
const small = join(dir, 's.bin'); await writeFile(small, ''); await truncate(small, Number(process.argv[3] ?? 1) * 1024 * 1024);
for (let i=0;i<Number(process.argv[4]??0);i++) await c.scanFile(small);
if (process.argv[6]) gc();
const before = process.memoryUsage();
let peak = before.rss; let abPeak = 0; let heapPeak = 0;
const t = setInterval(() => { if (process.argv[6]) gc(); peak = Math.max(peak, process.memoryUsage.rss()); const m = process.memoryUsage(); abPeak = Math.max(abPeak, m.arrayBuffers - before.arrayBuffers); heapPeak = Math.max(heapPeak, m.heapTotal - before.heapTotal); }, 5);
await c.scanFile(process.argv[5] === 'small' ? small : path);
clearInterval(t);
const afterM = process.memoryUsage();
console.log(mode, 'abPeak', (abPeak/1048576).toFixed(1), 'heapTotalPeak', (heapPeak/1048576).toFixed(1), 'peak growth MB', ((peak - before.rss) / 1048576).toFixed(1), 'ext', ((afterM.external - before.external)/1048576).toFixed(1), 'ab', ((afterM.arrayBuffers-before.arrayBuffers)/1048576).toFixed(1));
await c.close(); await close();
