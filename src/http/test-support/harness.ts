// Test helpers: a real Gateway on a temp data dir behind the real server on a free loopback port.
import { mkdtemp, rm } from 'node:fs/promises';
import { type Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before } from 'node:test';
import type { Clock } from '../../clock/index.js';
import { loadConfig } from '../../config/index.js';
import { Gateway, type GatewayOptions } from '../../gateway/index.js';
import type { MockServer } from '../../mock/index.js';
import { startServer } from '../server.js';
import type { RunningServer, ServerOptions } from '../types.js';
import { startUpstream, upstreamEnv } from './upstream.js';

export interface TestServer {
  gateway: Gateway;
  server: RunningServer;
  url: string;
  dataDir: string;
  /** Every log line the server wrote, parsed. */
  logs: string[];
  close(): Promise<void>;
}

export function logCapture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      partial += String(chunk);
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter(Boolean));
      cb();
    },
  });
  return { stream, lines };
}

/** Env for a config that reads nothing from the machine (no config file, no real key). */
export function isolatedEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { HOME: dataDir, XDG_CONFIG_HOME: join(dataDir, 'config'), XDG_DATA_HOME: join(dataDir, 'data'), VTG_DATA_DIR: dataDir, ...extra };
}

export async function startTestServer(
  options: {
    env?: Record<string, string>;
    /** `webhooks` tunes the gateway's webhook dispatcher (tests shorten the backoff). */
    server?: Omit<Partial<ServerOptions>, 'gateway'> & Pick<GatewayOptions, 'webhooks'>;
    clock?: Clock;
  } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vtg-http-test-'));
  const config = loadConfig({ env: isolatedEnv(dataDir, options.env), overrides: { dataDir, port: 0, host: '127.0.0.1' } });
  const { webhooks, ...serverOptions } = options.server ?? {};
  const gateway = await Gateway.open({ config, ...(options.clock ? { clock: options.clock } : {}), ...(webhooks ? { webhooks } : {}) });
  const capture = logCapture();
  let server: RunningServer;
  try {
    server = await startServer({ gateway, host: '127.0.0.1', port: 0, logStream: capture.stream, ...serverOptions });
  } catch (err) {
    await gateway.close();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    gateway,
    server,
    url: server.url,
    dataDir,
    logs: capture.lines,
    async close() {
      await server.close();
      await gateway.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A simulator upstream and a test server pointed at it, both started before and closed after a suite. */
export interface UpstreamServer {
  mock: MockServer;
  server: TestServer;
}

/**
 * Registers `before`/`after` hooks in the calling scope (file or `describe`) that start a simulator
 * (`startUpstream()` unless `mock` makes another) and a test server whose env points at it
 * (`upstreamEnv` plus `env`; `server` options and a `clock` as startTestServer takes them). The returned
 * object's fields are set once the `before` hook has run.
 */
export function withUpstreamServer(
  options: {
    mock?: () => Promise<MockServer>;
    env?: Record<string, string>;
    server?: NonNullable<Parameters<typeof startTestServer>[0]>['server'];
    clock?: Clock;
    /**
     * Runs in the same hook once both are up (tokens to create, handles to keep): node 20 runs a file's
     * top-level `before` hooks without waiting for each other, so a hook of the caller's own could
     * run before the server exists.
     */
    ready?: (up: UpstreamServer) => unknown;
  } = {},
): UpstreamServer {
  const handle = {} as UpstreamServer;
  before(async () => {
    handle.mock = await (options.mock ?? startUpstream)();
    handle.server = await startTestServer({
      env: upstreamEnv(handle.mock, options.env),
      ...(options.server ? { server: options.server } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    await options.ready?.(handle);
  });
  after(async () => {
    await handle.server?.close();
    await handle.mock?.close();
  });
  return handle;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests walk arbitrary JSON answers
  body: any;
}

/** One request; `token` goes in Authorization (or x-apikey for /api/v3 paths). */
export async function call(base: string, path: string, init: RequestInit & { token?: string } = {}): Promise<Answer> {
  const { token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== undefined) {
    if (path.startsWith('/api/v3/')) headers.set('x-apikey', token);
    else headers.set('authorization', `Bearer ${token}`);
  }
  const res = await fetch(base + path, { ...rest, headers });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && !(res.headers.get('content-type') ?? '').includes('ndjson')) {
    body = text ? JSON.parse(text) : null;
  }
  return { status: res.status, headers: res.headers, text, body };
}

export { until } from '../../test-support/until.js';

/** Creates the first admin token on an open server (as an operator's first step does) and returns it. */
export async function firstAdminToken(url: string): Promise<string> {
  const r = await call(url, '/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'root', role: 'admin' }) });
  if (r.status !== 201) throw new Error(`creating the first admin token: ${r.status} ${r.text}`);
  return r.body.token as string;
}

/** Creates a token with the admin token `admin`; returns the created token's JSON (`token`, `id`, ...). */
export async function createToken(url: string, admin: string, name: string, role: string, dailyBudget?: number): Promise<Record<string, unknown> & { token: string }> {
  const r = await call(url, '/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, role, dailyBudget }), token: admin });
  if (r.status !== 201) throw new Error(`creating token ${name}: ${r.status} ${r.text}`);
  return r.body as Record<string, unknown> & { token: string };
}

/**
 * One request over node:http, for headers fetch will not send as given (Host, Origin, no
 * Content-Type) and bodies of any shape.
 */
export function rawCall(
  base: string,
  path: string,
  /** `agent`: a keep-alive agent to send it on a connection kept open (`reused` says whether it was). */
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: Agent } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests walk arbitrary JSON answers
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; body: any; reused: boolean }> {
  const target = new URL(base + path);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        setHost: !(init.headers && 'host' in init.headers),
        ...(init.agent ? { agent: init.agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body, reused: req.reusedSocket });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (init.body !== undefined) req.end(init.body);
    else req.end();
  });
}
