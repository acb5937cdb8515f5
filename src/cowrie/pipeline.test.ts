import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { billableCalls } from '../gateway/test-support/harness.js';
import { enrichCowrieLogs, enrichmentSummaryText } from './pipeline.js';
import { COWRIE_DATA_DIR, COWRIE_LOGS, COWRIE_SKIP } from './test-data.js';
import { PITTMAN_SFTP, REDTAIL_X86_64, REPEATED_SHA256, VT_KEY, lineWith, openEnv as openEnvIn, tempRoot, } from './test-env.js';

const { tmp, cleanup } = tempRoot('vtg-cowrie-pipeline-');
after(cleanup);
const openEnv = (options?: Parameters<typeof openEnvIn>[1]) => openEnvIn(tmp, options);

test('enriches every real log once per indicator and provider; a second run with the state file reads and spends nothing', { skip: COWRIE_SKIP }, async (t) => {
  const env = await openEnv();
  t.after(() => env.close());
  const statePath = join(env.dir, 'cowrie-state.json');
  const phases = new Set<string>();
  let last: { lookupsDone: number; lookupsTotal: number; bytesRead: number; bytesTotal: number } | undefined;
  const result = await enrichCowrieLogs(env.gateway, {
    paths: [COWRIE_DATA_DIR],
    statePath,
    onProgress: (p) => {
      phases.add(p.phase);
      last = p;
    },
  });
  const { report, stats } = result;

  // Every log in the shared folder was read to its end, without a bad line.
  const names = readdirSync(COWRIE_DATA_DIR).sort();
  assert.equal(names.length, 6);
  assert.deepEqual(result.read.files.map((f) => f.file.slice(f.file.lastIndexOf('/') + 1)).sort(), names);
  for (const f of result.read.files) {
    assert.equal(f.error, undefined, f.file);
    assert.equal(f.bytesRead, f.bytesTotal, f.file);
    assert.ok(f.events > 0, f.file);
  }
  const eventsOf = (path: string) => result.read.files.find((f) => f.file === path)?.events;
  assert.equal(eventsOf(COWRIE_LOGS.kareiva2018), 1783);
  assert.equal(eventsOf(COWRIE_LOGS.pittman2020), 301);
  assert.equal(eventsOf(COWRIE_LOGS.redirect2023), 47);
  assert.equal(eventsOf(COWRIE_LOGS.prabhath2026), 4255);
  assert.equal(stats.badLines, 0);
  assert.equal(report.input?.files, 6);
  assert.ok(phases.has('read') && phases.has('enrich'));
  assert.equal(last?.lookupsDone, last?.lookupsTotal);
  assert.equal(last?.bytesRead, last?.bytesTotal);

  // One upstream call per unique indicator and provider, over the whole run.
  const byEndpoint = env.sim.stats().byEndpoint;
  assert.equal(byEndpoint['GET /files/{id}'], report.hashes.length);
  assert.equal(byEndpoint['POST /v1/payload/'], report.hashes.length);
  assert.equal(byEndpoint['GET /urls/{id}'], report.urls.length);
  assert.equal(byEndpoint['POST /v1/url/'], report.urls.length);
  const ips = report.indicators.filter((x) => x.kind === 'ip').length;
  assert.equal(byEndpoint['GET /ip_addresses/{ip}'], ips);
  assert.equal(byEndpoint['GET /api/ip/{ip}'], ips);
  assert.equal(byEndpoint['GET /v2/context/{ip}'], ips);
  assert.equal(stats.upstreamCalls, billableCalls(env.sim));
  assert.equal(stats.failed, 0);
  assert.deepEqual(report.failures, []);
  assert.equal(stats.stateSaved, true);

  // The 2018 hash downloaded 14 times in 7 sessions is one row.
  const repeated = report.hashes.find((h) => h.sha256 === REPEATED_SHA256);
  assert.equal(repeated?.sessions, 7);
  assert.equal(repeated?.events, 14);

  // SFTP uploads (no URL, only a hash) are found and enriched by both file providers.
  const redtail = report.hashes.find((h) => h.sha256 === REDTAIL_X86_64);
  assert.ok(redtail?.roles.includes('upload'));
  assert.ok(redtail?.names.includes('redtail.x86_64'));
  assert.equal(redtail?.providers.urlhaus?.verdict, 'malicious');
  assert.equal(redtail?.threatLabel, 'RedTail');
  assert.ok(redtail?.providers.virustotal);
  const sftp = report.hashes.find((h) => h.sha256 === PITTMAN_SFTP);
  assert.deepEqual(sftp?.names, ['eyshcjdmzg']);
  assert.ok(sftp?.providers.virustotal && sftp.providers.urlhaus);

  // The telnet session is parsed, with its dropper.
  const telnet = report.sessions.find((s) => s.protocol === 'telnet' && s.indicators.some((i) => i.value === 'http://87.242.89.170/ISIS.sh'));
  assert.ok(telnet, 'the telnet download session');
  assert.equal(telnet.indicators.find((i) => i.value === 'http://87.242.89.170/ISIS.sh')?.verdict, 'malicious');
  assert.ok(telnet.commands.length > 0);

  // The summary names malicious hashes with their labels, droppers with URLhaus status, attackers with DShield/SPUR/AS context.
  const text = enrichmentSummaryText(result);
  const malicious = report.hashes.filter((h) => h.malicious && h.threatLabel);
  assert.ok(malicious.length >= 5);
  for (const h of malicious) assert.match(lineWith(text, h.sha256), new RegExp(`malicious.*${h.threatLabel}`));
  assert.match(lineWith(text, REPEATED_SHA256), /Mirai/);
  assert.match(lineWith(text, 'http://54.37.72.170/n3 '), /offline/);
  assert.match(lineWith(text, 'http://87.242.89.170/ISIS.sh '), /online/);
  for (const u of report.urls) assert.ok(lineWith(text, `${u.url} `).includes(u.urlhausStatus ?? '?'));
  assert.equal(report.topIps.length, 10);
  for (const ip of report.topIps) {
    assert.ok(ip.dshield && ip.spur, ip.ip);
    // The attacker's own row (its address also shows as a file's source in the hash table).
    const line = text.split('\n').find((l) => l.startsWith(`  ${ip.ip} `)) ?? '';
    assert.ok(line.includes(`${ip.dshield.count ?? 0}/${ip.dshield.attacks ?? 0}`), line);
    // The network owner and SPUR's tunnel, in columns of their own.
    assert.ok(line.includes((ip.asOrg ?? '-').slice(0, 20)), line);
    assert.ok(line.includes((ip.tunnel ?? '-').slice(0, 20)), line);
    assert.equal(ip.tunnel, ip.spur.tunnelOperators[0] ?? ip.tunnel);
  }
  assert.match(text, /dshield: 184 lookup\(s\), 184 upstream call\(s\)/);

  // Second run with the state file: nothing new to read, no upstream call.
  const before = env.sim.stats();
  const again = await enrichCowrieLogs(env.gateway, { paths: [COWRIE_DATA_DIR], statePath });
  assert.equal(again.stats.bytesRead, 0);
  assert.equal(again.stats.lines, 0);
  assert.equal(again.stats.filesUnchanged, 6);
  assert.equal(again.stats.sessions, 0);
  assert.equal(again.stats.upstreamCalls, 0);
  assert.deepEqual(env.sim.stats().byEndpoint, before.byEndpoint);
});

test('the 2018 log: its repeated hash and URL are looked up once per provider; a dry run then finds them cached', { skip: COWRIE_SKIP }, async (t) => {
  const env = await openEnv();
  t.after(() => env.close());
  const { report, stats } = await enrichCowrieLogs(env.gateway, { paths: [COWRIE_LOGS.kareiva2018] });
  const byEndpoint = env.sim.stats().byEndpoint;
  assert.equal(byEndpoint['GET /files/{id}'], 1);
  assert.equal(byEndpoint['POST /v1/payload/'], 1);
  assert.equal(byEndpoint['GET /urls/{id}'], 1);
  assert.equal(byEndpoint['POST /v1/url/'], 1);
  assert.deepEqual(
    report.hashes.map((h) => [h.sha256, h.sessions, h.events]),
    [[REPEATED_SHA256, 7, 14]],
  );
  assert.equal(report.totals.sessions, 408);
  assert.equal(stats.newHashes, 1);

  const spent = billableCalls(env.sim);
  const dry = await enrichCowrieLogs(env.gateway, { paths: [COWRIE_LOGS.kareiva2018], dryRun: true });
  assert.equal(billableCalls(env.sim), spent);
  assert.equal(dry.stats.knownHashes, 1, 'the hash has a fresh VirusTotal answer now');
  for (const provider of ['virustotal', 'urlhaus', 'dshield', 'spur'] as const) {
    const e = dry.estimate?.[provider];
    assert.ok(e, provider);
    assert.equal(e.upstream, 0, provider);
    assert.ok(e.cached > 0, provider);
  }
});

test('an interrupted run saves no state; the next run reads the lines again and pays only for what was not answered', { skip: COWRIE_SKIP }, async (t) => {
  const env = await openEnv();
  t.after(() => env.close());
  const statePath = join(env.dir, 'state.json');
  const stop = new AbortController();
  let answeredBeforeStop = 0;
  await assert.rejects(
    enrichCowrieLogs(env.gateway, {
      paths: [COWRIE_LOGS.kareiva2018],
      statePath,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.phase === 'enrich' && p.upstreamCalls >= 20 && !stop.signal.aborted) {
          answeredBeforeStop = p.upstreamCalls;
          stop.abort(new Error('operator pressed ^C'));
        }
      },
    }),
    /operator pressed/,
  );
  assert.equal(existsSync(statePath), false);

  // (Calls already on the wire when the run stopped may still reach the simulator: they are not counted here.)
  const rerun = await enrichCowrieLogs(env.gateway, { paths: [COWRIE_LOGS.kareiva2018], statePath });
  assert.equal(rerun.stats.events, 1783, 'every line is read again');
  assert.ok(rerun.stats.fromCache >= answeredBeforeStop, `${rerun.stats.fromCache} cached, ${answeredBeforeStop} answered before`);
  assert.equal(rerun.stats.fromCache + rerun.stats.upstreamCalls, rerun.stats.lookupsTotal);
  assert.equal(rerun.stats.stateSaved, true);
  assert.equal(existsSync(statePath), true);
});

test('a log with a truncated last line and one with junk lines are processed, the bad lines counted; the completed line is read next time', { skip: COWRIE_SKIP }, async (t) => {
  const env = await openEnv();
  t.after(() => env.close());
  const logs = mkdtempSync(join(tmp, 'bad-lines-'));
  const telnetText = readFileSync(COWRIE_LOGS.telnet2023, 'utf8');
  const cut = telnetText.length - 90; // inside the last line (the telnet session's close event)
  const truncated = join(logs, 'cowrie.json.2023-12-13');
  writeFileSync(truncated, telnetText.slice(0, cut));
  const redirectLines = readFileSync(COWRIE_LOGS.redirect2023, 'utf8').split('\n').filter(Boolean);
  const junk = ['this is not json', '{"eventid": "cowrie.session.connect", "session": "a1b2', '[1, 2, 3]'];
  writeFileSync(join(logs, 'cowrie.json.2023-11-30'), `${[...redirectLines.slice(0, 20), ...junk, ...redirectLines.slice(20)].join('\n')}\n`);
  const statePath = join(env.dir, 'state.json');

  const first = await enrichCowrieLogs(env.gateway, { paths: [logs], statePath });
  assert.equal(first.stats.files, 2);
  assert.equal(first.stats.badLines, 4);
  assert.equal(first.stats.truncatedLines, 1);
  assert.deepEqual(
    first.read.badLineSamples.map((b) => b.reason).sort(),
    ['malformed', 'malformed', 'not_an_event', 'truncated'],
  );
  // Every session is still there: 5 + 3, the telnet one not closed (its close event is the cut line).
  assert.equal(first.report.totals.sessions, 8);
  assert.equal(first.report.totals.closedSessions, 7);
  const urls = first.report.urls.map((u) => u.url);
  assert.ok(urls.includes('http://87.242.89.170/ISIS.sh'));
  assert.ok(urls.includes('http://94.156.68.152/ah'));
  assert.match(enrichmentSummaryText(first), /Input\s+2 file\(s\), \d+ lines, 4 bad \(1 truncated\)/);
  assert.equal(first.stats.stateSaved, true);

  // Cowrie finishes the line: the next run reads just that line, and its attacker is already cached.
  appendFileSync(truncated, telnetText.slice(cut));
  const spent = billableCalls(env.sim);
  const second = await enrichCowrieLogs(env.gateway, { paths: [logs], statePath });
  assert.equal(second.stats.lines, 1);
  assert.equal(second.stats.badLines, 0);
  assert.equal(second.report.totals.closedSessions, 1);
  assert.equal(billableCalls(env.sim), spent);
});

test('a download "url" that is a local path and an empty shasum are never sent upstream', { skip: COWRIE_SKIP }, async (t) => {
  const env = await openEnv();
  t.after(() => env.close());
  // The telnet log, its wget commands removed, its download rewritten as old sensors log redirect
  // captures (url "/etc/rc.local") plus a download whose shasum is empty.
  const lines = readFileSync(COWRIE_LOGS.telnet2023, 'utf8').split('\n').filter(Boolean);
  const kept = lines.filter((l) => !l.includes('"cowrie.command.input"'));
  const download = kept.findIndex((l) => l.includes('"cowrie.session.file_download"'));
  const original = JSON.parse(kept[download] ?? '{}') as Record<string, unknown>;
  kept.splice(
    download,
    1,
    JSON.stringify({ ...original, url: '/etc/rc.local' }),
    JSON.stringify({ ...original, url: 'http://87.242.89.170/ISIS.sh', shasum: '', outfile: '' }),
  );
  const log = join(mkdtempSync(join(tmp, 'local-')), 'cowrie.json');
  writeFileSync(log, `${kept.join('\n')}\n`);
  const result = await enrichCowrieLogs(env.gateway, { paths: [log] });
  assert.equal(result.report.skipped?.localPathUrls, 1);
  assert.equal(result.report.skipped?.emptyHashes, 1);
  // Only the real hash of the first event and the remote URL of the second are looked up.
  assert.deepEqual(result.report.hashes.map((h) => h.sha256), [original.shasum]);
  assert.deepEqual(result.report.urls.map((u) => u.url), ['http://87.242.89.170/ISIS.sh']);
  const byEndpoint = env.sim.stats().byEndpoint;
  assert.equal(byEndpoint['GET /files/{id}'], 1);
  assert.equal(byEndpoint['POST /v1/payload/'], 1);
  assert.equal(byEndpoint['GET /urls/{id}'], 1);
  assert.equal(byEndpoint['POST /v1/url/'], 1);
});

test('a dry run reads and extracts, spends nothing, gives the cost per provider and leaves the state file alone', { skip: COWRIE_SKIP }, async (t) => {
  const env = await openEnv();
  t.after(() => env.close());
  const statePath = join(env.dir, 'state.json');
  const result = await enrichCowrieLogs(env.gateway, { paths: [COWRIE_DATA_DIR], statePath, dryRun: true });
  assert.equal(billableCalls(env.sim), 0);
  assert.equal(existsSync(statePath), false);
  assert.equal(result.stats.stateSaved, false);
  assert.equal(result.report.dryRun, true);
  assert.equal(result.stats.sessions, 1224);
  const kinds = (k: string) => result.report.indicators.filter((x) => x.kind === k).length;
  const estimate = result.estimate ?? {};
  // Every unique indicator costs one VirusTotal call (tftp:// URLs included), hashes and URLs one URLhaus call.
  assert.ok(result.report.urls.some((u) => u.url.startsWith('tftp://')));
  assert.equal(estimate.virustotal?.upstream, result.report.indicators.length);
  assert.equal(estimate.urlhaus?.upstream, kinds('file') + kinds('url'));
  assert.equal(estimate.dshield?.upstream, kinds('ip'));
  assert.equal(estimate.spur?.upstream, kinds('ip'));
  assert.ok(result.report.hashes.every((h) => h.verdict === 'unknown'));
  const text = enrichmentSummaryText(result);
  assert.match(text, new RegExp(`dshield: ${kinds('ip')} upstream call\\(s\\) needed, 0 cached`));
});

test('a provider without a key is skipped with its note, and the others still answer', { skip: COWRIE_SKIP }, async (t) => {
  const env = await openEnv({ without: ['SPUR_API_KEY'] });
  t.after(() => env.close());
  const result = await enrichCowrieLogs(env.gateway, { paths: [COWRIE_LOGS.redirect2023] });
  const spur = result.report.providers.find((p) => p.provider === 'spur');
  assert.equal(spur?.enabled, false);
  assert.match(spur?.note ?? '', /SPUR_API_KEY/);
  assert.deepEqual(result.stats.skippedProviders, ['spur']);
  assert.deepEqual(result.report.failures, []);
  const byEndpoint = env.sim.stats().byEndpoint;
  assert.equal(byEndpoint['GET /v2/context/{ip}'], undefined);
  assert.ok((byEndpoint['GET /api/ip/{ip}'] ?? 0) > 0);
  const attacker = result.report.topIps[0];
  assert.equal(attacker?.ip, '204.76.203.13');
  assert.equal(attacker?.spur, null);
  assert.ok(attacker?.dshield);
  assert.match(enrichmentSummaryText(result), /spur: skipped \(SPUR skipped: set SPUR_API_KEY/);
});

test('failed lookups are recorded per indicator, never fatal and never showing the key; the state waits for a clean run', { skip: COWRIE_SKIP }, async (t) => {
  // The simulator accepts another VirusTotal key only: every VirusTotal lookup is refused.
  const env = await openEnv({ simulatorKeys: ['some-other-key'] });
  t.after(() => env.close());
  const statePath = join(env.dir, 'state.json');
  const result = await enrichCowrieLogs(env.gateway, { paths: [COWRIE_LOGS.redirect2023], statePath });
  const vtLookups = result.report.providers.find((p) => p.provider === 'virustotal')?.lookups ?? 0;
  assert.equal(vtLookups, result.report.indicators.length);
  assert.equal(result.report.failures.length, vtLookups);
  assert.ok(result.report.failures.every((f) => f.provider === 'virustotal' && f.code !== ''));
  // The other providers answered.
  assert.equal(result.report.urls.find((u) => u.url === 'http://94.156.68.152/ah')?.urlhausStatus, 'offline');
  assert.equal(result.stats.stateSaved, false);
  assert.equal(existsSync(statePath), false);
  const text = enrichmentSummaryText(result);
  assert.match(text, /Failed lookups \(\d+\)/);
  assert.match(text, /State file not saved: \d+ lookup\(s\) failed/);
  for (const shown of [text, JSON.stringify(result)]) assert.equal(shown.includes(VT_KEY), false);
});
