// Helpers shared by the simulator's tests (not part of the public face).
import { readFileSync } from 'node:fs';
import { sharedPath, skipWithoutShared } from '../../test-support/shared-corpus.js';
import type { MockServer } from '../types.js';
import { OWN_FIXTURES } from './own-fixtures.js';

export const KEY = 'test-api-key-0123456789abcdef';

/**
 * A real VirusTotal answer from ../shared/fixtures/vt when the corpus is there, else the
 * repository's own small one of the same shape (envelopes, errors, descriptors only).
 */
// biome-ignore lint/suspicious/noExplicitAny: fixtures are arbitrary JSON
export function fixture(name: string): any {
  const path = sharedPath(`fixtures/vt/${name}`);
  if (path) return JSON.parse(readFileSync(path, 'utf8'));
  const own = OWN_FIXTURES[name];
  if (own === undefined) throw new Error(`${name} is a real capture only; guard its test with needsFixture('${name}')`);
  return structuredClone(own);
}

/** Skip option for a test that compares against a real capture the repository does not ship. */
export function needsFixture(name: string): false | string {
  return name in OWN_FIXTURES ? false : skipWithoutShared(`fixtures/vt/${name}`);
}

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests walk arbitrary JSON answers
  body: any;
}

/** One request to the simulator's /api/v3 (or an absolute URL), with the test key unless `key` is given. */
export async function call(
  mock: MockServer,
  path: string,
  init: RequestInit & { key?: string | null } = {},
): Promise<Answer> {
  const { key = KEY, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key !== null) headers.set('x-apikey', key);
  const target = path.startsWith('http') ? path : `${mock.url}/api/v3${path}`;
  const res = await fetch(target, { ...rest, headers });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body };
}

export function form(fields: Record<string, string | Blob>, filename = 'sample.bin'): FormData {
  const fd = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') fd.append(name, value);
    else fd.append(name, value, filename);
  }
  return fd;
}
