import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { CowrieEvent } from './events.js';
import { CowrieInputError, resolveLogFiles } from './files.js';
import { type CowrieReadStats, createReadStats, type ReadCowrieOptions, readCowrieLogs } from './reader.js';
import { CowrieState } from './state.js';
import { COWRIE_LOGS, COWRIE_SKIP } from './test-data.js';

const tmp = mkdtempSync(join(tmpdir(), 'vtg-cowrie-reader-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const dir = () => mkdtempSync(join(tmp, 'case-'));

async function readAll(paths: string[], options: ReadCowrieOptions = {}): Promise<{ events: CowrieEvent[]; stats: CowrieReadStats }> {
  const stats = options.stats ?? createReadStats();
  const events: CowrieEvent[] = [];
  for await (const e of readCowrieLogs(paths, { ...options, stats })) events.push(e);
  return { events, stats };
}

test('every shared real log reads completely with no bad lines', { skip: COWRIE_SKIP }, async () => {
  const expected: Record<string, number> = {
    kareiva2018: 1783,
    pittman2020: 301,
    redirect2023: 47,
    telnet2023: 16,
    scp2024: 52,
    prabhath2026: 4255,
  };
  for (const [name, path] of Object.entries(COWRIE_LOGS)) {
    const { events, stats } = await readAll([path]);
    assert.equal(events.length, expected[name], name);
    assert.equal(stats.badLines, 0, name);
    assert.equal(events[0]?._line, 1);
    assert.equal(events[0]?._file, path);
  }
});

test('unknown event ids are kept and counted', { skip: COWRIE_SKIP }, async () => {
  const d = dir();
  const file = join(d, 'cowrie.json');
  writeFileSync(
    file,
    `${readFileSync(COWRIE_LOGS.telnet2023, 'utf8')}{"eventid":"cowrie.future.thing","session":"b1c9257f07fd","timestamp":"2026-01-01T00:00:00Z"}\n`,
  );
  const { events, stats } = await readAll([file]);
  assert.equal(events.at(-1)?.eventid, 'cowrie.future.thing');
  assert.deepEqual(stats.unknownEvents, { 'cowrie.future.thing': 1 });
});

test('a copy with a truncated last line: the half line is counted as truncated, the rest read', { skip: COWRIE_SKIP }, async () => {
  const d = dir();
  const text = readFileSync(COWRIE_LOGS.kareiva2018, 'utf8');
  const lastStart = text.lastIndexOf('\n', text.length - 2) + 1;
  const cut = text.slice(0, lastStart + Math.floor((text.length - lastStart) / 2)); // cut mid-line, no newline
  const file = join(d, 'cowrie.json');
  writeFileSync(file, cut);
  const { events, stats } = await readAll([file]);
  assert.equal(events.length, 1782);
  assert.equal(stats.badLines, 1);
  assert.equal(stats.truncatedLines, 1);
  assert.equal(stats.files[0]?.truncatedLines, 1);
  assert.equal(stats.badLineSamples[0]?.reason, 'truncated');
  assert.equal(stats.badLineSamples[0]?.line, 1783);
});

test('a copy with junk lines in the middle: each junk line counted, every event still read', { skip: COWRIE_SKIP }, async () => {
  const d = dir();
  const lines = readFileSync(COWRIE_LOGS.redirect2023, 'utf8').split('\n');
  const junk = ['{"eventid": "cowrie.session.conn', 'garbage here', '[1,2,3]', '', '\u0000\u0001\u0002', '{"no":"eventid"}'];
  lines.splice(20, 0, ...junk);
  const file = join(d, 'cowrie.2023-11-30.json');
  writeFileSync(file, lines.join('\r\n'));
  const { events, stats } = await readAll([file]);
  assert.equal(events.length, 47);
  assert.equal(stats.badLines, 5); // the blank line is not bad
  assert.equal(stats.truncatedLines, 0);
  assert.deepEqual(
    stats.badLineSamples.map((b) => b.reason),
    ['malformed', 'malformed', 'not_an_event', 'malformed', 'not_an_event'],
  );
  // CRLF line ends are read like LF.
  assert.equal(events[0]?.eventid, 'cowrie.session.connect');
});

test('a gzip copy reads the same events; gzip is detected by content, not by name', { skip: COWRIE_SKIP }, async () => {
  const d = dir();
  const gz = join(d, 'cowrie.json.2018-06-12'); // gzip without a .gz name
  writeFileSync(gz, gzipSync(readFileSync(COWRIE_LOGS.kareiva2018)));
  const plain = await readAll([COWRIE_LOGS.kareiva2018]);
  const zipped = await readAll([gz]);
  assert.equal(zipped.stats.files[0]?.gzip, true);
  assert.equal(zipped.events.length, plain.events.length);
  const strip = (e: CowrieEvent | undefined) => ({ ...e, _file: '' });
  assert.deepEqual(strip(zipped.events.at(-1)), strip(plain.events.at(-1)));
  assert.equal(zipped.stats.badLines, 0);
});

test('a gzip file cut short gives what it holds and reports the file as unreadable to the end', { skip: COWRIE_SKIP }, async () => {
  const d = dir();
  const full = gzipSync(readFileSync(COWRIE_LOGS.kareiva2018));
  const file = join(d, 'cowrie.json.2018-06-12.gz');
  writeFileSync(file, full.subarray(0, Math.floor(full.length / 2)));
  const { events, stats } = await readAll([file]);
  assert.ok(events.length > 100 && events.length < 1783, String(events.length));
  assert.equal(stats.fileErrors, 1);
  assert.match(stats.files[0]?.error ?? '', /end of file/i);
});

test('directories and globs give Cowrie logs in time order, the live cowrie.json last', { skip: COWRIE_SKIP }, async () => {
  const d = dir();
  const small = readFileSync(COWRIE_LOGS.telnet2023);
  for (const name of ['cowrie.json', 'cowrie.json.2026-03-24', 'cowrie.json.2026-03-23.gz', 'cowrie.2026-03-22.json', 'cowrie_2026-03-25.json', 'notes.txt']) {
    writeFileSync(join(d, name), name.endsWith('.gz') ? gzipSync(small) : small);
  }
  const expected = ['cowrie.2026-03-22.json', 'cowrie.json.2026-03-23.gz', 'cowrie.json.2026-03-24', 'cowrie_2026-03-25.json', 'cowrie.json'].map((n) => join(d, n));
  assert.deepEqual(await resolveLogFiles([d]), expected);
  assert.deepEqual(await resolveLogFiles([join(d, 'cowrie*.json*')]), expected);
  assert.deepEqual(await resolveLogFiles([join(d, 'cowrie.json.2026-03-2?')]), [join(d, 'cowrie.json.2026-03-24')]);
  const { events } = await readAll([d]);
  assert.equal(events.length, 16 * 5);
  await assert.rejects(resolveLogFiles([join(d, 'missing.json')]), CowrieInputError);
  await assert.rejects(resolveLogFiles([join(d, 'nothing*')]), /matched no files/);
});

test('with a state file: a second run reads nothing; appended lines are all a third run reads', { skip: COWRIE_SKIP }, async () => {
  const d = dir();
  const file = join(d, 'cowrie.json');
  const statePath = join(d, 'state', 'cowrie-state.json');
  const lines = readFileSync(COWRIE_LOGS.prabhath2026, 'utf8').split('\n').filter(Boolean);
  writeFileSync(file, `${lines.slice(0, 4000).join('\n')}\n`);

  let state = await CowrieState.load(statePath);
  const first = await readAll([file], { state });
  assert.equal(first.events.length, 4000);
  await state.save();

  state = await CowrieState.load(statePath);
  const second = await readAll([file], { state });
  assert.equal(second.events.length, 0);
  assert.equal(second.stats.bytesRead, 0);
  assert.equal(second.stats.files[0]?.unchanged, true);

  appendFileSync(file, `${lines.slice(4000, 4003).join('\n')}\n`);
  const third = await readAll([file], { state });
  assert.deepEqual(
    third.events.map((e) => e._line),
    [4001, 4002, 4003],
  );
  assert.equal(third.events[0]?.timestamp, JSON.parse(lines[4000] ?? '{}').timestamp);
  await state.save();

  // A half-written line is left for later, then read once complete.
  const next = lines[4003] ?? '';
  appendFileSync(file, next.slice(0, 50));
  state = await CowrieState.load(statePath);
  const partial = await readAll([file], { state });
  assert.equal(partial.events.length, 0);
  assert.equal(partial.stats.truncatedLines, 1);
  appendFileSync(file, `${next.slice(50)}\n`);
  const completed = await readAll([file], { state });
  assert.equal(completed.events.length, 1);
  assert.equal(completed.events[0]?._line, 4004);
  assert.equal(completed.stats.badLines, 0);
});

test('with a state file: a rotated (renamed) file is not read again; a replaced file is', { skip: COWRIE_SKIP }, async () => {
  const d = dir();
  const live = join(d, 'cowrie.json');
  copyFileSync(COWRIE_LOGS.telnet2023, live);
  const state = CowrieState.empty(join(d, 'state.json'));
  assert.equal((await readAll([d], { state })).events.length, 16);
  renameSync(live, join(d, 'cowrie.json.2023-12-13'));
  copyFileSync(COWRIE_LOGS.scp2024, live);
  const afterRotation = await readAll([d], { state });
  assert.equal(afterRotation.events.length, 52, 'only the new live file is read');

  // Same inode, different content (rewritten in place, longer than before): read from the start.
  const rotated = join(d, 'cowrie.json.2023-12-13');
  const ino = statSync(rotated).ino;
  writeFileSync(rotated, readFileSync(COWRIE_LOGS.redirect2023));
  assert.equal(statSync(rotated).ino, ino);
  const replaced = await readAll([rotated], { state });
  assert.equal(replaced.events.length, 47);
});

test('with a state file: an unchanged gzip file is skipped', { skip: COWRIE_SKIP }, async () => {
  const d = dir();
  const gz = join(d, 'cowrie.json.2020-03-19.gz');
  writeFileSync(gz, gzipSync(readFileSync(COWRIE_LOGS.pittman2020)));
  const state = CowrieState.empty(join(d, 'state.json'));
  assert.equal((await readAll([gz], { state })).events.length, 301);
  const again = await readAll([gz], { state });
  assert.equal(again.events.length, 0);
  assert.equal(again.stats.files[0]?.unchanged, true);
  await state.save();
  const reloaded = await CowrieState.load(join(d, 'state.json'));
  assert.equal(reloaded.entries()[0]?.done, true);
});

test('an over-long line is skipped and counted without holding it in memory', { skip: COWRIE_SKIP }, async () => {
  const d = dir();
  const file = join(d, 'cowrie.json');
  const good = readFileSync(COWRIE_LOGS.telnet2023, 'utf8').split('\n').filter(Boolean);
  writeFileSync(file, `${good[0]}\n{"eventid":"cowrie.command.input","input":"${'A'.repeat(300_000)}"}\n${good[1]}\n`);
  const { events, stats } = await readAll([file], { maxLineBytes: 64 * 1024 });
  assert.equal(events.length, 2);
  assert.equal(stats.badLineSamples[0]?.reason, 'too_long');
  assert.equal(events[1]?._line, 3);
});

test('progress reaches the file size; an aborted read stops with the abort reason', { skip: COWRIE_SKIP }, async () => {
  const seen: number[] = [];
  await readAll([COWRIE_LOGS.prabhath2026], { onProgress: (p) => seen.push(p.bytesRead) });
  assert.equal(seen.at(-1), statSync(COWRIE_LOGS.prabhath2026).size);
  const controller = new AbortController();
  const reason = new Error('stop');
  let n = 0;
  await assert.rejects(
    (async () => {
      for await (const _ of readCowrieLogs([COWRIE_LOGS.prabhath2026], { signal: controller.signal })) {
        if (++n === 10) controller.abort(reason);
      }
    })(),
    (err) => err === reason,
  );
  assert.ok(n < 4255);
});

test('a long read lets timers and signals run: a timer that aborts mid-file stops it well before the end', async () => {
  // 24 MB of light events: read in the reader's own thread, it must still give the event loop a turn.
  const file = join(dir(), 'big.json');
  const line = `{"eventid":"cowrie.log.closed","ttylog":"var/lib/cowrie/tty/${'a'.repeat(64)}","size":1,"session":"s1","timestamp":"2026-03-25T10:00:00.000000Z","src_ip":"203.0.113.5","sensor":"hp1"}\n`;
  writeFileSync(file, line.repeat(Math.ceil((24 * 1024 * 1024) / line.length)));
  const controller = new AbortController();
  const stats = createReadStats();
  let timer: NodeJS.Timeout | undefined;
  await assert.rejects(
    (async () => {
      for await (const _ of readCowrieLogs([file], { signal: controller.signal, stats, fields: 'report' })) {
        // Once reading is under way, a timer (as a SIGINT handler would) asks it to stop.
        timer ??= setTimeout(() => controller.abort(new Error('operator pressed ^C')), 0);
      }
    })(),
    /operator pressed/,
  );
  clearTimeout(timer);
  assert.ok(stats.bytesRead < statSync(file).size / 2, `stopped after ${stats.bytesRead} of ${statSync(file).size} bytes`);
});
