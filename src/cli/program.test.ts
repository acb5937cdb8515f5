// Lazy command registration: each command, registered alone from the command line that names it,
// has the same tree (subcommands, options) as when every command is registered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from 'commander';
import { CliContext } from './context.js';
import { buildProgram } from './program.js';
import { COMMANDS } from './registry.js';

const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {} };

function shape(cmd: Command): unknown {
  return { name: cmd.name(), aliases: cmd.aliases(), options: cmd.options.map((o) => o.flags), commands: cmd.commands.map(shape) };
}

test('every command registered lazily matches the full tree, and names only what its modules register', async () => {
  const full = await buildProgram(new CliContext(io), '0.0.0', ['--help'], COMMANDS);
  const names = full.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  for (const e of COMMANDS) for (const n of e.names) assert.ok(names.includes(n), `COMMANDS names "${n}", which no module registers`);
  for (const top of full.commands) {
    for (const name of [top.name(), ...top.aliases()]) {
      const lazy = await buildProgram(new CliContext(io), '0.0.0', ['--json', '--data-dir', '/x', name, 'arg'], COMMANDS);
      const found = lazy.commands.find((c) => c.name() === top.name());
      assert.ok(found, `\`vtg ${name}\` registers ${top.name()}`);
      assert.deepEqual(shape(found), shape(top), `\`vtg ${name}\` has the full tree`);
      const tree = COMMANDS.some((e) => e.tree && e.names.includes(name));
      if (!tree) assert.ok(lazy.commands.length < full.commands.length, `\`vtg ${name}\` does not register every command`);
    }
  }
});

test('help, an unknown name and a tree command register every command', async () => {
  const all = (await buildProgram(new CliContext(io), '0.0.0', ['--help'], COMMANDS)).commands.length;
  for (const argv of [[], ['help', 'lookup'], ['lookpu', 'x'], ['completion', 'bash']]) {
    assert.equal((await buildProgram(new CliContext(io), '0.0.0', argv, COMMANDS)).commands.length, all, argv.join(' '));
  }
});

test('`vtg --version` registers no command (it prints the version and loads nothing else)', async () => {
  for (const argv of [['--version'], ['-V'], ['--no-color', '-V']]) {
    assert.equal((await buildProgram(new CliContext(io), '0.0.0', argv, COMMANDS)).commands.length, 0, argv.join(' '));
  }
  const all = (await buildProgram(new CliContext(io), '0.0.0', ['--help'], COMMANDS)).commands.length;
  assert.equal((await buildProgram(new CliContext(io), '0.0.0', ['--version', '--help'], COMMANDS)).commands.length, all, 'with --help, the whole tree');
});
