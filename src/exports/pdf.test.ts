import { Store } from '../store/index.js';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type TestServer, call, startTestServer } from '../http/test-support/harness.js';
import { EICAR_SHA256, populate } from './test-support/populate.js';

const has = (bin: string) => spawnSync(bin, ['-v'], { stdio: 'ignore' }).error === undefined;
const skip = has('pdftotext') && has('pdftoppm') ? false : 'needs pdftotext and pdftoppm (Debian poppler-utils); not installed here';

let t: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'vtg-pdf-'));
before(async () => {
  t = await startTestServer();
  await populate(t.gateway);
});
after(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the PDF report carries scope, counts, top indicators and quota; it renders', { skip }, async () => {
  const res = await fetch(`${t.url}/api/export?format=pdf`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const pdf = Buffer.from(await res.arrayBuffer());
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const file = join(dir, 'report.pdf');
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  const total = Number(res.headers.get('x-total-count'));
  const store = await Store.open({ dataDir: t.gateway.config.dataDir });
  const summary = await store.search.summary({});
  await store.close();
  assert.match(text, /vt-gateway threat-intelligence report/);
  assert.match(text, /Scope: every indicator the gateway knows/);
  assert.match(text, new RegExp(`Indicators: ${total}\\b`));
  assert.match(text, new RegExp(`Malicious: ${summary.byVerdict.malicious ?? 0}\\b`));
  assert.match(text, new RegExp(`file: ${summary.byKind.file ?? 0}\\b`));
  assert.match(text, new RegExp(`virustotal: ${summary.answersByProvider.virustotal} upstream requests`));
  assert.match(text, /Detections over time/);
  assert.match(text, /Top malicious indicators/);
  assert.ok(text.replace(/\s+/g, '').includes(EICAR_SHA256), 'EICAR is listed (top or appendix)');
  assert.match(text, /trojan\.mirai\/gafgyt/);
  assert.match(text, /40\/70/, 'detection ratio of the Cowrie sample');
  assert.match(text, /Appendix: indicators/);
  execFileSync('pdftoppm', ['-r', '40', '-png', file, join(dir, 'page')]);
  const pages = readdirSync(dir).filter((f) => f.startsWith('page') && f.endsWith('.png'));
  assert.ok(pages.length >= 3, `rendered ${pages.length} pages`);
  for (const p of pages) assert.ok(statSync(join(dir, p)).size > 500);

  const scoped = await call(t.url, '/api/export?format=pdf&kind=domain&since=2026-01-01');
  assert.equal(scoped.status, 200);
});
