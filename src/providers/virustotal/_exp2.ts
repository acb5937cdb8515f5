import { spawn } from 'node:child_process';
import { writeFile, truncate } from 'node:fs/promises';
import { connect } from 'node:net';
import { request, Agent } from 'undici';
import { FileBodyStream } from './file-body-stream.js';
const p = '/tmp/rss-big.bin'; await writeFile(p, ''); await truncate(p, 33*1024*1024);
const ch = spawn(process.execPath, ['/tmp/srv.mjs']);
const url = await new Promise<string>((r) => ch.stdout.once('data', (d) => r(String(d).trim())));
const mode = process.argv[2];
const agent = new Agent();
async function run() {
  if (mode === 'sock') {
    const u = new URL(url); const sock = connect(Number(u.port), '127.0.0.1'); await new Promise(r => sock.on('connect', r));
    const buf = Buffer.allocUnsafeSlow(65536);
    const { open } = await import('node:fs/promises'); const fh = await open(p, 'r');
    for (let pos = 0; pos < 33*1024*1024; pos += 65536) { await fh.read(buf, 0, 65536, pos); if (!sock.write(buf)) await new Promise(r => sock.once('drain', r)); }
    sock.destroy(); await fh.close();
  } else if (mode === 'stream-only') {
    const s = new FileBodyStream({ path: p, size: 33*1024*1024, head: Buffer.from('h'), tail: Buffer.from('t') });
    for await (const _c of s) { /* consume */ }
  } else {
    const body = new FileBodyStream({ path: p, size: 33*1024*1024, head: Buffer.from('h'), tail: Buffer.from('t') });
    const res = await request(`${url}/x`, { method: 'POST', body, headers: { 'content-length': String(33*1024*1024+2) }, dispatcher: agent });
    await res.body.text();
  }
}
if (process.argv[3]) await run();
const before = process.memoryUsage.rss(); let peak = before;
const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 2);
await run();
clearInterval(t);
console.log(mode, process.argv[3] ? 'warm' : 'cold', ((peak - before)/1048576).toFixed(1));
ch.kill(); await agent.close();
