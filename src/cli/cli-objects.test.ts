/**
 * vt-cli parity (issue #11): `vtg file|url|domain|ip` detail views and relationships, run as the
 * built `vtg` against the simulator, embedded and through `--server`, through the cache and the
 * governor, with permalinks everywhere.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { EICAR_MD5, EICAR_SHA256 } from '../mock/index.js';
import { type LiveVtg, mockCli, runVtg, type Sandbox, sandbox, startVtg } from './test-support/harness.js';

const cli = mockCli({ cwd: 'sandbox' });
const { vtg } = cli;
const GUI = 'https://www.virustotal.com/gui';

/** Calls VirusTotal has counted this month (time runs 20x here, so shorter windows roll over) (the governor's view, read without spending quota). */
async function monthUsed(): Promise<number> {
  const q = await vtg(['quota', '--json', '-q']);
  assert.equal(q.code, 0, q.stderr);
  return (JSON.parse(q.stdout) as { windows: Array<{ window: string; used: number }> }).windows.find((w) => w.window === 'month')?.used as number;
}

describe('detail views', () => {
  test('file: verdict, threat, names, type, size, dates, engines that detected it, permalink', async () => {
    const r = await vtg(['file', EICAR_MD5]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, new RegExp(`^file ${EICAR_MD5} \\(simulated\\)\\n`));
    assert.match(out, /\n {2}verdict +malicious {2}62 malicious, 0 suspicious of \d+ engines/);
    assert.match(out, /\n {2}threat label +virus\.eicar\/test\n/);
    assert.match(out, /\n {2}names +eicar\.com, eicar\.com\.txt, eicar\.txt\n/);
    assert.match(out, /\n {2}type +Text \(text\)\n/);
    assert.match(out, /\n {2}size +68 bytes\n/);
    assert.match(out, /\n {2}first seen +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/);
    assert.match(out, /\n {2}last seen +\d{4}-\d\d-\d\dT/);
    assert.match(out, new RegExp(`\\n {2}sha256 +${EICAR_SHA256}\\n`));
    assert.match(out, new RegExp(`\\n {2}permalink +${GUI}/file/${EICAR_SHA256}\\n`));
    assert.match(out, /\n {2}ENGINE +CATEGORY +RESULT\n/);
    const lines = out.split('\n');
    const engines = lines.slice(lines.findIndex((l) => /^ {2}ENGINE /.test(l)) + 1).filter((l) => /^ {2}\S+ +malicious +\S/.test(l));
    assert.equal(engines.length, 62, 'one line per engine that detected it');
    assert.ok(!out.includes('127.0.0.1'), 'nothing names the simulator');

    const all = await vtg(['file', EICAR_SHA256, '--all-engines', '-q']);
    assert.match(all.stdout, /\n {2}\S+ +type-unsupported\s*\n|\n {2}\S+ +type-unsupported +/);
  });

  test('domain and ip: WHOIS summary, DNS records, ASN, country, certificate, permalink', async () => {
    const d = await vtg(['domain', 'example.com', '-q']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /\n {2}registrar +\S/);
    assert.match(d.stdout, /\n {2}whois \(\d{4}-[^)]+\) +Creation Date: \d{4}-/);
    assert.match(d.stdout, /\n +Registry Expiry Date: \d{4}-/);
    assert.match(d.stdout, /\n {2}dns A +\d+\.\d+\.\d+\.\d+ {2}ttl \d+\n/);
    assert.match(d.stdout, /\n {2}dns MX +mx\.example\.com \(priority 10\)/);
    assert.match(d.stdout, /\n {2}cert issuer +R11, Let's Encrypt, US\n/);
    assert.match(d.stdout, /\n {2}cert names +example\.com, www\.example\.com\n/);
    assert.match(d.stdout, new RegExp(`\\n {2}permalink +${GUI}/domain/example\\.com\\n`));

    const ip = await vtg(['ip', '8.8.8.8', '-q']);
    assert.equal(ip.code, 0, ip.stderr);
    assert.match(ip.stdout, /\n {2}asn +AS\d+ \S/);
    assert.match(ip.stdout, /\n {2}country +[A-Z]{2} \([A-Z]{2}\)\n/);
    assert.match(ip.stdout, /\n {2}network +8\.8\.8\.0\/24, /);
    assert.match(ip.stdout, /\n {2}whois \(/);
    assert.match(ip.stdout, /\n {2}cert subject +8\.8\.8\.8\n/);
    assert.match(ip.stdout, new RegExp(`\\n {2}permalink +${GUI}/ip-address/8\\.8\\.8\\.8\\n`));
  });

  test('url, several objects from stdin, and bad input exits 2 while the good ones print', async () => {
    const url = 'http://example.com/a.sh';
    const id = createHash('sha256').update(url).digest('hex');
    const r = await vtg(['url', '-', '-q'], `${url}\n# comment\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^url ${url.replace(/\./g, '\\.')} \\(simulated\\)\\n`));
    assert.match(r.stdout, new RegExp(`\\n {2}permalink +${GUI}/url/${id}\\n`));

    const two = await vtg(['domain', 'example.com', 'not a domain', 'example.org', '-q']);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /^vtg: invalid domain .*not a domain/);
    assert.equal(two.stdout.split('\n').filter((l) => l.startsWith('domain ')).length, 2);
  });

  test('--json is the full object with permalink; -i/-x select attributes as in vt-cli', async () => {
    const r = await vtg(['file', EICAR_MD5, '--json', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const [doc] = JSON.parse(r.stdout) as Array<Record<string, unknown> & { attributes: Record<string, unknown>; links: { self: string } }>;
    assert.equal(doc?.id, EICAR_SHA256);
    assert.equal(doc?.type, 'file');
    assert.equal(doc?.permalink, `${GUI}/file/${EICAR_SHA256}`);
    assert.equal(doc?.simulated, true);
    assert.equal(doc?.links.self, `https://www.virustotal.com/api/v3/files/${EICAR_SHA256}`);
    for (const key of ['names', 'size', 'last_analysis_results', 'popular_threat_classification', 'first_submission_date']) assert.ok(key in (doc?.attributes ?? {}), key);

    const picked = await vtg(['file', EICAR_MD5, '--json', '-q', '-i', 'last_analysis_stats,names', '-i', 'last_analysis_results.*.result', '-x', 'last_analysis_stats.harmless']);
    const [p] = JSON.parse(picked.stdout) as Array<{ attributes: Record<string, Record<string, unknown>> }>;
    assert.deepEqual(Object.keys(p?.attributes ?? {}).sort(), ['last_analysis_results', 'last_analysis_stats', 'names']);
    assert.ok(!('harmless' in (p?.attributes.last_analysis_stats ?? {})));
    assert.equal(p?.attributes.last_analysis_stats?.malicious, 62);
    for (const engine of Object.values(p?.attributes.last_analysis_results ?? {})) assert.deepEqual(Object.keys(engine as object), ['result']);

    // the view shows only what was selected
    const view = await vtg(['file', EICAR_MD5, '-q', '-i', 'last_analysis_stats']);
    assert.match(view.stdout, /\n {2}verdict +malicious/);
    assert.doesNotMatch(view.stdout, /\n {2}names /);
  });
});

describe('relationships', () => {
  test('`relationships` lists the names without spending quota', async () => {
    const before = await monthUsed();
    const r = await vtg(['file', 'relationships', EICAR_SHA256, '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME +ITEMS +DESCRIPTION\n/);
    assert.match(r.stdout, /\ncontacted_ips +ip_address +IP addresses the file contacted/);
    assert.match(r.stdout, /\ndropped_files +file +/);
    assert.equal(await monthUsed(), before);
    const help = await vtg(['domain', '--help']);
    assert.match(help.stdout, /Relationships of domain objects:\n.*resolutions/s);
  });

  test('a page through the governor, paged with the cursor it prints, cached for the next ask', async () => {
    const before = await monthUsed();
    const r = await vtg(['file', 'contacted_ips', EICAR_SHA256, '--limit', '3']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0] as string, /^INDICATOR +TYPE +VERDICT +DETECTIONS +DETAIL$/);
    assert.equal(lines.length, 4);
    for (const l of lines.slice(1)) assert.match(l, /^\d+\.\d+\.\d+\.\d+ +ip_address +\w+ +\d+\/\d+ +AS\d+ /);
    const more = /vtg: 3 of 25 contacted_ips \(upstream, simulated\); more: (vtg file contacted_ips \S+ --cursor \S+)\n/.exec(r.stderr);
    assert.ok(more, r.stderr);
    assert.equal(await monthUsed(), before + 1, 'one page, one call');

    const next = await vtg([...(more[1] as string).split(' ').slice(1), '--limit', '3', '-q']);
    assert.equal(next.code, 0, next.stderr);
    const nextIps = next.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
    assert.equal(nextIps.length, 3);
    for (const ip of nextIps) assert.ok(!r.stdout.includes(`${ip} `), `page 2 repeats ${ip}`);

    const again = await vtg(['file', 'contacted_ips', EICAR_SHA256, '--limit', '3']);
    assert.equal(again.stdout, r.stdout);
    assert.match(again.stderr, /3 of 25 contacted_ips \(cache, simulated\)/);
    assert.equal(await monthUsed(), before + 2, 'the repeated page came from the cache');
  });

  test('--limit beyond a page fetches more pages; --json carries count, cursor and permalinks', async () => {
    const r = await vtg(['domain', 'subdomains', 'example.com', '--limit', '45', '--json', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { object: { permalink: string }; relationship: string; count: number; cursor: string | null; items: Array<{ indicator: string; permalink: string; object: { type: string } }> };
    assert.equal(doc.relationship, 'subdomains');
    assert.equal(doc.count, 25);
    assert.equal(doc.cursor, null);
    assert.equal(doc.items.length, 25);
    assert.equal(doc.object.permalink, `${GUI}/domain/example.com`);
    for (const item of doc.items) {
      assert.match(item.indicator, /\.example\.com$/);
      assert.equal(item.permalink, `${GUI}/domain/${item.indicator}`);
      assert.equal(item.object.type, 'domain');
    }
    const res = await vtg(['ip', 'resolutions', '8.8.8.8', '--limit', '2', '-q']);
    assert.match(res.stdout, /\n\S+\.\w+ +resolution +resolved \d{4}-/);
  });

  test('an unknown relationship is a usage error that says where the names are', async () => {
    const r = await vtg(['domain', 'no_such_thing', 'example.com', '-q']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /"no_such_thing" is not a relationship of domain objects here \(vtg domain relationships lists them\)/);
    const two = await vtg(['file', 'dropped_files', EICAR_SHA256, EICAR_MD5, '-q']);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /give exactly one file/);
    const cacheOnly = await vtg(['file', 'dropped_files', EICAR_SHA256, '--cache-only', '-q']);
    assert.equal(cacheOnly.code, 2);
    assert.match(cacheOnly.stderr, /--cache-only: for object views only/);
  });
});

describe('permalinks on every answer', () => {
  test('scan and enrich JSON carry the permalink as lookup and batch do', async () => {
    const scan = await vtg(['scan', 'url', 'http://example.com/q', '--json', '-q']);
    assert.equal(scan.code, 0, scan.stderr);
    const id = createHash('sha256').update('http://example.com/q').digest('hex');
    assert.equal((JSON.parse(scan.stdout) as Array<{ permalink: string }>)[0]?.permalink, `${GUI}/url/${id}`);
    const known = await vtg(['scan', 'url', 'http://example.com/', '--json', '-q']);
    assert.match((JSON.parse(known.stdout) as Array<{ permalink: string }>)[0]?.permalink ?? '', new RegExp(`^${GUI}/url/[0-9a-f]{64}$`));
    const enrich = await vtg(['enrich', EICAR_MD5, '8.8.8.8', '--json', '-q']);
    assert.equal(enrich.code, 0, enrich.stderr);
    assert.deepEqual(
      (JSON.parse(enrich.stdout) as Array<{ permalink: string }>).map((r) => r.permalink),
      [`${GUI}/file/${EICAR_SHA256}`, `${GUI}/ip-address/8.8.8.8`],
    );
  });
});

describe('through --server: the same output', () => {
  let serverBox: Sandbox;
  let server: LiveVtg;
  let url = '';
  const remote = (args: string[]) => runVtg(['--server', url, ...args], serverBox.env({ VTG_TIME_SCALE: '20' }));
  const volatile = (text: string) => text.replace(/\n {2}source +.*\n/, '\n');

  before(async () => {
    serverBox = sandbox();
    server = startVtg(['serve', '--port', '0'], serverBox.env({ VTG_TIME_SCALE: '20' }));
    await server.waitFor((_o, e) => /listening on http:\/\/127\.0\.0\.1:\d+/.test(e), 60_000);
    url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.stderr())?.[1] as string;
  });

  after(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    serverBox?.remove();
  });

  test('detail views and relationship pages print what embedded mode prints', async () => {
    for (const args of [
      ['file', EICAR_MD5],
      ['domain', 'example.com'],
      ['ip', '8.8.8.8'],
      ['url', 'http://example.com/a.sh'],
    ]) {
      const [here, there] = await Promise.all([vtg([...args, '-q']), remote([...args, '-q'])]);
      assert.equal(there.code, 0, there.stderr);
      assert.equal(volatile(there.stdout), volatile(here.stdout), args.join(' '));
    }
    const rel = ['file', 'contacted_domains', EICAR_SHA256, '--limit', '4'];
    const [here, there] = await Promise.all([vtg(rel), remote(rel)]);
    assert.equal(there.code, 0, there.stderr);
    assert.equal(there.stdout, here.stdout);
    assert.match(there.stderr, /4 of 25 contacted_domains \(upstream, simulated\); more: vtg file contacted_domains/);
    const cached = await remote(rel);
    assert.match(cached.stderr, /4 of 25 contacted_domains \(cache, simulated\)/);
    const unknown = await remote(['domain', 'no_such_thing', 'example.com']);
    assert.equal(unknown.code, 2, unknown.stderr);
  });
});
