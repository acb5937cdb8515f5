import type { IncomingMessage, ServerResponse } from 'node:http';
import { MockBodyTooLarge, readBody, sendError, sendJson } from './http-util.js';
import type { FaultInjector } from './faults.js';
import type { QuotaLedger } from './quota.js';
import type { StatsRecorder } from './stats.js';
import type { MockFaults, MockKind, MockQuotaLimits } from './types.js';
import type { VtWorld } from './virustotal/world.js';

/** What the control endpoint drives: the simulator's runtime, as far as /_mock needs it. */
export interface MockControlTarget {
  readonly stats: StatsRecorder;
  readonly faults: FaultInjector;
  readonly quota: QuotaLedger;
  readonly world: VtWorld;
  reset(): void;
  setFaults(faults: MockFaults): void;
  setLimits(limits: MockQuotaLimits): void;
  setKeyLimits(key: string, limits: MockQuotaLimits): void;
  revokeKey(key: string): void;
}

const KINDS: readonly MockKind[] = ['file', 'url', 'domain', 'ip'];

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req, 64 * 1024);
  if (body.length === 0) return {};
  return JSON.parse(body.toString('utf8'));
}

function verdictArgs(value: unknown): { kind: MockKind; id: string; stats: Partial<Record<string, number>> | 'not_found' } {
  if (typeof value !== 'object' || value === null) throw new TypeError('expected {"kind", "id", "stats"}');
  const { kind, id, stats } = value as Record<string, unknown>;
  if (!KINDS.includes(kind as MockKind)) throw new RangeError(`kind must be one of ${KINDS.join(', ')}`);
  if (typeof id !== 'string' || id === '') throw new RangeError('id must be a non-empty string');
  if (stats === 'not_found') return { kind: kind as MockKind, id, stats };
  if (typeof stats !== 'object' || stats === null || Array.isArray(stats)) throw new RangeError('stats must be an object or "not_found"');
  for (const [name, n] of Object.entries(stats)) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new RangeError(`stats.${name} must be a whole number >= 0`);
  }
  return { kind: kind as MockKind, id, stats: stats as Record<string, number> };
}

/**
 * The control API (no API key needed): GET /_mock/stats, POST /_mock/reset, GET|POST /_mock/faults,
 * POST /_mock/verdicts, GET|POST /_mock/limits, POST /_mock/key-limits ({"key", "limits"}: one key's
 * own limits), POST /_mock/revoke ({"key"}: answered 401 from now on). Control requests are not counted in the stats.
 */
export async function handleControl(runtime: MockControlTarget, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const name = url.pathname.slice('/_mock/'.length);
  const allowed: Record<string, string[]> = {
    stats: ['GET'],
    reset: ['POST'],
    faults: ['GET', 'POST'],
    verdicts: ['POST'],
    limits: ['GET', 'POST'],
    'key-limits': ['POST'],
    revoke: ['POST'],
  };
  const methods = allowed[name];
  if (!methods) {
    req.resume();
    sendError(req, res, 404, 'NotFoundError', `Unknown control endpoint /_mock/${name}`);
    return;
  }
  if (!methods.includes(method)) {
    req.resume();
    res.setHeader('Allow', methods.join(', '));
    sendError(req, res, 405, 'MethodNotAllowedError', `Method ${method} is not allowed on /_mock/${name}`);
    return;
  }
  try {
    if (method === 'GET') {
      req.resume();
      if (name === 'stats') sendJson(req, res, 200, runtime.stats.snapshot());
      else if (name === 'faults') sendJson(req, res, 200, runtime.faults.current);
      else sendJson(req, res, 200, runtime.quota.limits);
      return;
    }
    if (name === 'reset') {
      req.resume();
      runtime.reset();
    } else {
      const body = await jsonBody(req);
      if (name === 'faults') runtime.setFaults(body as Record<string, unknown>);
      else if (name === 'limits') runtime.setLimits(body as Record<string, unknown>);
      else if (name === 'key-limits') {
        const { key, limits } = body as { key?: unknown; limits?: unknown };
        runtime.setKeyLimits(key as string, (limits ?? {}) as Record<string, unknown>);
      } else if (name === 'revoke') runtime.revokeKey((body as { key?: unknown }).key as string);
      else {
        const { kind, id, stats } = verdictArgs(body);
        runtime.world.setVerdict(kind, id, stats);
      }
    }
    sendJson(req, res, 200, { ok: true });
  } catch (err) {
    if (err instanceof MockBodyTooLarge) sendError(req, res, 413, 'RequestEntityTooLargeError', 'Control request body too large');
    else sendError(req, res, 400, 'BadRequestError', err instanceof Error ? err.message : 'Bad control request');
  }
}
