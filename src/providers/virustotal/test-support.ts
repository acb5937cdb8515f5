// Helpers for this folder's tests (not part of the public face): a tiny HTTP server and a CONNECT proxy on 127.0.0.1.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  AlreadyExistsError,
  AuthenticationRequiredError,
  BadRequestError,
  DeadlineExceededError,
  FailedDependencyError,
  ForbiddenError,
  InvalidArgumentError,
  NotAvailableYetError,
  NotFoundError,
  QuotaExceededError,
  TooManyRequestsError,
  TransientError,
  UnselectiveContentQueryError,
  UnsupportedContentQueryError,
  UserNotActiveError,
  type VtError,
  WrongCredentialsError,
} from './errors.js';


export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface LocalServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

function track(server: ReturnType<typeof createServer>): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

async function listen(server: ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** An HTTP server on 127.0.0.1 that records every request (with its whole body) before the handler runs. */
export async function startLocalServer(handler: Handler): Promise<LocalServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      void handler(req, res, body);
    });
  });
  const sockets = track(server);
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** Answers JSON, gzipped when asked to. */
export function sendJson(res: ServerResponse, status: number, body: unknown, options: { gzip?: boolean; headers?: Record<string, string> } = {}): void {
  const text = Buffer.from(JSON.stringify(body));
  const payload = options.gzip ? gzipSync(text) : text;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(payload.length),
    ...(options.gzip ? { 'content-encoding': 'gzip' } : {}),
    ...options.headers,
  });
  res.end(payload);
}

export interface ConnectProxy {
  url: string;
  /** `host:port` of every CONNECT received. */
  connects: string[];
  /** Proxy-Authorization header of every CONNECT (or ''). */
  auth: string[];
  close(): Promise<void>;
}

/** A forward proxy that tunnels every CONNECT, whatever host it names, to 127.0.0.1:`targetPort`. */
export async function startConnectProxy(targetPort: number): Promise<ConnectProxy> {
  const connects: string[] = [];
  const auth: string[] = [];
  const server = createServer((_req, res) => {
    res.writeHead(405).end();
  });
  const sockets = track(server);
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const header = req.headers['proxy-authorization'];
    auth.push(typeof header === 'string' ? header : '');
    const upstream = connect(targetPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    auth,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type Cls = abstract new (...args: never[]) => VtError;

/** vt-api.md section 4, row by row: status, code, class, retryable. */
export const ERROR_TABLE: ReadonlyArray<readonly [number, string, Cls, boolean]> = [
  [400, 'BadRequestError', BadRequestError, false],
  [400, 'InvalidArgumentError', InvalidArgumentError, false],
  [400, 'NotAvailableYet', NotAvailableYetError, false],
  [400, 'UnselectiveContentQueryError', UnselectiveContentQueryError, false],
  [400, 'UnsupportedContentQueryError', UnsupportedContentQueryError, false],
  [401, 'AuthenticationRequiredError', AuthenticationRequiredError, false],
  [401, 'UserNotActiveError', UserNotActiveError, false],
  [401, 'WrongCredentialsError', WrongCredentialsError, false],
  [403, 'ForbiddenError', ForbiddenError, false],
  [404, 'NotFoundError', NotFoundError, false],
  [409, 'AlreadyExistsError', AlreadyExistsError, false],
  [424, 'FailedDependencyError', FailedDependencyError, false],
  [429, 'QuotaExceededError', QuotaExceededError, true],
  [429, 'TooManyRequestsError', TooManyRequestsError, true],
  [503, 'TransientError', TransientError, true],
  [504, 'DeadlineExceededError', DeadlineExceededError, true],
];

