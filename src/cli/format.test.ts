import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wantsColor } from './format/color.js';
import { csvCell, csvLine } from './format/csv.js';
import { pickPaths } from './format/fields.js';
import { type Column, Output, type OutputMode } from './format/output.js';
import { etaText } from './format/time.js';
import { indicatorLines } from './inputs.js';
import { rejectKeyArguments } from './secret-args.js';

function capture(mode: OutputMode, fields?: string[], secrets: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const o = new Output({ mode, fields, color: false, quiet: false, stdout: { write: (s) => out.push(s) }, stderr: { write: (s) => err.push(s) }, secrets: () => secrets });
  return { o, out: () => out.join(''), err: () => err.join('') };
}

const rows = [
  { name: 'a,b', n: 1, nested: { x: 'deep' } },
  { name: 'say "hi"', n: 22, nested: { x: null } },
];
const cols: Column<(typeof rows)[number]>[] = [{ key: 'name' }, { key: 'n', right: true }, { key: 'nested', hidden: true }];

test('CSV quotes commas, quotes, line breaks and edge spaces', () => {
  assert.equal(csvLine(['a,b', 'say "hi"', 'two\nlines', ' pad', 'plain', null, 3]), '"a,b","say ""hi""","two\nlines"," pad",plain,,3');
  assert.equal(csvCell({ a: 1 }), '"{""a"":1}"');
});

test('tables align columns and right-align numbers; --fields picks columns and dotted paths', () => {
  const t = capture('table');
  t.o.list(rows, cols);
  assert.equal(t.out(), 'NAME       N\na,b        1\nsay "hi"  22\n');
  const f = capture('csv', ['n', 'nested.x']);
  f.o.list(rows, cols);
  assert.equal(f.out(), 'n,nested.x\n1,deep\n22,\n');
});

test('JSON and NDJSON keep whole records unless --fields filters their keys', () => {
  const j = capture('json', ['name', 'nested.x']);
  j.o.list(rows, cols);
  assert.deepEqual(JSON.parse(j.out()), [
    { name: 'a,b', nested: { x: 'deep' } },
    { name: 'say "hi"', nested: { x: null } },
  ]);
  const n = capture('ndjson');
  n.o.list(rows, cols);
  assert.deepEqual(n.out().trim().split('\n').map((l) => JSON.parse(l)), rows);
  assert.deepEqual(pickPaths({ a: { b: 1, c: 2 }, d: 3 }, ['a.b', 'missing']), { a: { b: 1 } });
});

test('a configured secret is scrubbed from every line, on stdout and stderr', () => {
  const c = capture('table', undefined, ['s3cr3t-key-value']);
  c.o.line('token s3cr3t-key-value here');
  c.o.warn('error: s3cr3t-key-value');
  assert.equal(c.out(), 'token *** here\n');
  assert.equal(c.err(), 'error: ***\n');
});

test('colour only on a terminal, and never with NO_COLOR or --no-color', () => {
  assert.equal(wantsColor(true, {}, true), true);
  assert.equal(wantsColor(false, {}, true), false);
  assert.equal(wantsColor(true, { NO_COLOR: '1' }, true), false);
  assert.equal(wantsColor(true, {}, false), false);
});

test('indicator lists skip blank lines and # comments (also trailing ones), but keep URL fragments', () => {
  assert.deepEqual(indicatorLines('# header\n\n  abc  \nhttp://x.example/#frag\nfoo.example # note\r\n'), ['abc', 'http://x.example/#frag', 'foo.example']);
});

test('key flags are refused without echoing the value; after -- anything goes', () => {
  for (const argv of [['--apikey', 'v'], ['-k', 'v'], ['--key=v'], ['lookup', '--api-key=v'], ['--API-Key=v'], ['-K', 'v'], ['--VT-KEY']]) {
    assert.throws(() => rejectKeyArguments(argv), (err: Error) => err.name === 'UsageError' && /VT_API_KEY/.test(err.message) && !/=v/.test(err.message));
  }
  assert.doesNotThrow(() => rejectKeyArguments(['mock', '--keys', 'a,b']));
  assert.doesNotThrow(() => rejectKeyArguments(['lookup', '--', '-k']));
});

test('ETAs read like the gateway\'s durations, in whole seconds', () => {
  assert.deepEqual([etaText(null), etaText(Number.POSITIVE_INFINITY), etaText(400), etaText(42_000), etaText(65_000), etaText(3 * 3600_000 + 60_000)], ['?', '?', '0s', '42s', '1m05s', '3h01m']);
});
