/**
 * For the Cowrie pipeline tests: a simulator of all four upstreams and a Gateway pointed at it over
 * real HTTP, on a clock 100 times faster than real time; and small helpers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScaledClock } from '../clock/index.js';
import { loadConfig } from '../config/index.js';
import { Gateway, startSimulator } from '../gateway/index.js';
import type { MockServer } from '../mock/index.js';

/** A temp dir for one test file; call the returned cleanup in after(). */
export function tempRoot(prefix: string): { tmp: string; cleanup(): void } {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  return { tmp, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

export const VT_KEY = 'pipeline-test-vt-key-0123456789abcdef-must-never-show';
export const REPEATED_SHA256 = '3be56c3e5cc12387b3857b841cea6341494b572811617e47df6dbf160b5ca866';
export const REDTAIL_X86_64 = '59c29436755b0778e968d49feeae20ed65f5fa5e35f9f7965b8ed93420db91e5';
export const PITTMAN_SFTP = '1a0aa7fcea196af6d24df531da131833b4b13b3e629e15d1b346062d7ec259e6';

export interface TestEnv {
  gateway: Gateway;
  sim: MockServer;
  dir: string;
  close(): Promise<void>;
}

/**
 * A simulator of all four upstreams and a Gateway pointed at it over real HTTP, both on a clock running
 * 100 times faster than real time, so the providers' real pacing (DShield and SPUR 1/s) takes seconds.
 */
export async function openEnv(tmp: string, options: { without?: string[]; simulatorKeys?: string[] } = {}): Promise<TestEnv> {
  const clock = new ScaledClock(100);
  const sim = await startSimulator({ profile: 'premium', clock, ...(options.simulatorKeys ? { keys: options.simulatorKeys } : {}) });
  const dir = mkdtempSync(join(tmp, 'gw-'));
  const env: Record<string, string> = {
    HOME: dir,
    VTG_DATA_DIR: dir,
    VT_API_KEY: VT_KEY,
    URLHAUS_API_KEY: 'pipeline-test-urlhaus-key',
    SPUR_API_KEY: 'pipeline-test-spur-token',
    DSHIELD_EMAIL: 'honeypot@example.org',
    VTG_VIRUSTOTAL_URL: sim.url,
    VTG_URLHAUS_URL: sim.url,
    VTG_DSHIELD_URL: sim.url,
    VTG_SPUR_URL: sim.url,
    VTG_VT_LIMITS: 'minute=1000,day=100000,month=1000000,burst=50',
  };
  for (const name of options.without ?? []) delete env[name];
  let gateway: Gateway;
  try {
    gateway = await Gateway.open({ config: loadConfig({ env }), clock });
  } catch (err) {
    await sim.close();
    throw err;
  }
  return {
    gateway,
    sim,
    dir,
    async close() {
      await gateway.close();
      await sim.close();
    },
  };
}

export function lineWith(text: string, needle: string): string {
  const line = text.split('\n').find((l) => l.includes(needle));
  assert.ok(line, `no line of the summary mentions ${needle}`);
  return line;
}

/** Waits (bounded) until `done()` holds; a bug fails the test instead of hanging the suite. */
export async function until(done: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

