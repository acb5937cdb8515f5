/**
 * `startServer`: the HTTP service on node:http. Refuses to listen off loopback without tokens, caps
 * requests in flight (503 beyond), and stops gracefully: no new connections, in-flight requests
 * finish (bounded), then it resolves. It only serves: webhooks, batch resume and budgets are the
 * engine's (`Gateway.open`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { buildApp } from './app.js';
import { RequestAbortedError } from './errors.js';
import { createFastLookup } from './fast-lookup.js';
import { Admission, type Ticket } from './middleware/admission.js';
import { BodyDeadlines } from './middleware/body-deadline.js';
import { connectionMemo } from './middleware/connection.js';
import { checkHostOrigin, hostPolicy } from './middleware/host-origin.js';
import { GatewayResponse } from './response.js';
import type { UpstreamKeyRefusedEvent } from '../gateway/index.js';
import type { RunningServer, ServerOptions } from './types.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8290;

/** The server refused to start (e.g. an open server on a public address). */
export class ServerStartError extends Error {
  override name = 'ServerStartError';
}

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { gateway } = options;
  const host = options.host ?? gateway.config.server.host ?? DEFAULT_HOST;
  const port = options.port ?? gateway.config.server.port ?? DEFAULT_PORT;
  if (!isLoopbackHost(host) && await gateway.tokens.count() === 0 && !options.insecureNoAuth) {
    throw new ServerStartError(
      `refusing to listen on ${host} with no API tokens: anyone who can reach it could spend the VirusTotal quota. ` +
        'Create a token first (vtg token create <name> --role admin), bind to 127.0.0.1, or pass --insecure-no-auth.',
    );
  }

  const requireTokens = options.requireTokens ?? (!isLoopbackHost(host) && !options.insecureNoAuth);
  const { app, deps, accessLog, flushLogs } = buildApp(gateway, { ...options, requireTokens });
  // held access lines are written at close, and on an exit without close (process.exit, an uncaught
  // error: a synchronous stream such as stdout to a file or pipe still takes them)
  process.on('exit', flushLogs);
  const hosts = hostPolicy(host, gateway.config.server.allowedHosts);
  const fast = createFastLookup(deps, accessLog);
  const log = deps.logger;
  const listener = getRequestListener(app.fetch, {
    errorHandler: () =>
      new Response(JSON.stringify({ error: { code: 'BadRequest', message: 'malformed request line or Host header' } }), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      }),
  });

  const admission = new Admission(deps.limits);
  const bodies = new BodyDeadlines({
    graceMs: deps.limits.bodyGraceMs,
    minBytesPerSecond: deps.limits.bodyMinBytesPerSecond,
    onTimeout: () => deps.metrics.rejection('BodyTooSlow'),
  });
  let inFlight = 0;
  let closing = false;
  const idle: Array<() => void> = [];
  // one listener for every response (no closure per request): 'close' fires once per response
  function onResponseClose(this: GatewayResponse): void {
    inFlight--;
    const ticket = this.ticket;
    if (ticket) admission.release(ticket);
    if (inFlight === 0) for (const resolve of idle.splice(0)) resolve();
    // the client went away before a fast-path answer: stop waiting for quota on its behalf
    if (!this.writableFinished) this.watched?.abort(new RequestAbortedError(false));
  }
  const track = (res: GatewayResponse, ticket: Ticket) => {
    inFlight++;
    res.ticket = ticket;
    res.on('close', onResponseClose);
  };
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string>) => {
    deps.metrics.rejection(code);
    // the body is not read: close the connection after the answer rather than drain it
    req.socket.once('finish', () => req.socket.destroy());
    sendJson(res, status, { error: { code, message } }, { connection: 'close', 'x-vtg-error': code, ...headers });
  };
  const server = createServer(
    { maxHeaderSize: 16 * 1024, requestTimeout: 0, headersTimeout: 30_000, keepAliveTimeout: 5_000, ServerResponse: GatewayResponse },
    (req: IncomingMessage, res: GatewayResponse) => {
      if (closing) {
        refuse(req, res, 503, 'ShuttingDown', 'the server is shutting down', { 'retry-after': '5' });
        return;
      }
      const memo = connectionMemo(req.socket);
      const method = req.method ?? 'GET';
      const headers = req.headers;
      const host = headers.host;
      // a GET with the Host this connection was last admitted with, and not a browser's fetch: admitted
      // again (the check would only judge that Host, by the same fixed rules)
      if (!(method === 'GET' && host === memo.host && host !== undefined && headers['sec-fetch-site'] === undefined)) {
        const refusal = checkHostOrigin(hosts, method, headers);
        if (refusal) {
          refuse(req, res, refusal.status, refusal.code, refusal.message, {});
          return;
        }
        memo.host = host;
      }
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const ticket = admission.admit(req, q < 0 ? url : url.slice(0, q), memo);
      if ('status' in ticket) {
        refuse(req, res, ticket.status, ticket.code, ticket.message, { 'retry-after': '1' });
        return;
      }
      if (ticket.lane === 'reads') {
        const outcome = fast(req, res, memo);
        // answered on the spot and handed to the socket: nothing left in flight to track
        if (outcome === 'answered' && res.writableLength === 0) {
          admission.release(ticket);
          return;
        }
        track(res, ticket);
        if (outcome) return;
      } else {
        track(res, ticket);
        bodies.watch(req, res);
        if (fast(req, res, memo)) return;
      }
      listener(req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'InternalError', message: 'internal error' } });
        else res.destroy();
      });
    },
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason, code, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'HeadersTooLarge', 'the request line and headers are larger than 16 KB (a URL that long is refused)']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'RequestTimeout', 'the request headers did not arrive in time']
          : [400, 'Bad Request', 'BadRequest', 'malformed HTTP request'];
    const body = JSON.stringify({ error: { code, message } });
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(new ServerStartError(`cannot listen on ${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });

  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;

  const onWebhookAttempt = (outcome: 'delivered' | 'failed' | 'dead') => deps.metrics.webhook(outcome);
  gateway.events.on('webhook.attempt', onWebhookAttempt);
  // a refused key says so once, by label: it is out of rotation until the operator replaces it
  const onKeyRefused = (e: UpstreamKeyRefusedEvent) => {
    deps.metrics.keyRefused(e.provider, e.key);
    log.warn(
      { provider: e.provider, key: e.key, error: e.error, retried: e.retried },
      e.retried ? 'upstream key refused (401): revoked, out of rotation; its call moved to another key of the pool' : 'upstream key refused (401): revoked, out of rotation',
    );
  };
  gateway.events.on('upstream.key_refused', onKeyRefused);
  log.info({ url, mock: gateway.mock, version: gateway.version, open: await gateway.tokens.count() === 0 }, 'vt-gateway listening');

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = options.shutdownGraceMs ?? 10_000;
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, grace);
          timer.unref();
          idle.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      server.closeAllConnections();
      await stopped;
      gateway.events.off('webhook.attempt', onWebhookAttempt);
      gateway.events.off('upstream.key_refused', onKeyRefused);
      deps.uploads.clear();
      deps.deadlines.stop();
      bodies.stop();
      log.info({ url }, 'vt-gateway stopped');
      flushLogs();
      process.off('exit', flushLogs);
    })();
    return closed;
  };
  return { url, port: address.port, close };
}
