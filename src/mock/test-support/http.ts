// Helpers shared by the simulator's tests (not part of the public face).
import { readFileSync } from 'node:fs';
import type { MockServer } from '../types.js';

export const KEY = 'test-api-key-0123456789abcdef';

const FIXTURES = new URL('../../../../shared/fixtures/vt/', import.meta.url);

// biome-ignore lint/suspicious/noExplicitAny: fixtures are arbitrary JSON
export function fixture(name: string): any {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
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
