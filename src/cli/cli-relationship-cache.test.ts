/**
 * Relationship pages kept by `vtg file <relationship>`: `vtg related` reads them (no upstream call:
 * the graph comes from what is kept), and `vtg cache clear` removes them with the answers.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MALICIOUS_SHA256 } from '../mock/index.js';
import { mockCli } from './test-support/harness.js';

const cli = mockCli();
const pagesDir = () => join(cli.box.dataDir, 'mock', 'relationships');
const pages = () => (existsSync(pagesDir()) ? readdirSync(pagesDir()).filter((n) => n.endsWith('.json')).length : 0);

test('vtg related links a file to what a kept relationship page named; cache clear removes the pages', async () => {
  const hash = MALICIOUS_SHA256; // one the simulator knows (a random hash is unknown to it about half the time)
  const page = await cli.vtg(['file', 'contacted_ips', hash, '--limit', '3', '--json', '-q']);
  assert.equal(page.code, 0, page.stderr);
  const ips = (JSON.parse(page.stdout) as { items: Array<{ indicator: string }> }).items.map((i) => i.indicator);
  assert.equal(ips.length, 3);
  assert.equal(pages(), 1, `the page is kept in ${pagesDir()}`);

  const related = await cli.vtg(['related', hash, '--json', '-q']);
  assert.equal(related.code, 0, related.stderr);
  const graph = JSON.parse(related.stdout) as { edges: Array<{ relation: string; target: string }>; nodes: Array<{ key: string; value: string }> };
  const linked = graph.edges.filter((e) => e.relation === 'contacted_ips').map((e) => graph.nodes.find((n) => n.key === e.target)?.value);
  assert.deepEqual(linked.sort(), [...ips].sort());

  const cleared = await cli.vtg(['cache', 'clear', '--all', '-q']);
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.equal(pages(), 0, 'no relationship page is left behind');
});
