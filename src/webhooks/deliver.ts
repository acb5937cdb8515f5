/** One signed POST to a checked webhook target, connecting only to the address that was checked. */
import type { LookupAddress } from 'node:dns';
import { Agent, request } from 'undici';
import type { CheckedTarget } from './target.js';

export interface AttemptResult {
  ok: boolean;
  /** HTTP status, or null when no answer arrived. */
  status: number | null;
  error?: string;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for net.connect that always answers the pinned address. */
function pinnedLookup(target: CheckedTarget) {
  return (_hostname: string, options: { all?: boolean } | number | undefined, callback: LookupCallback) => {
    if (typeof options === 'object' && options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

const MAX_RESPONSE_BYTES = 64 * 1024;

export async function postWebhook(
  target: CheckedTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<AttemptResult> {
  const agent = new Agent({
    connect: { lookup: pinnedLookup(target), timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connections: 1,
    pipelining: 0,
  });
  try {
    const res = await request(target.url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
      dispatcher: agent,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read (a bounded amount of) the answer so the socket closes cleanly; its content is not used.
    let read = 0;
    for await (const chunk of res.body) {
      read += (chunk as Buffer).length;
      if (read > MAX_RESPONSE_BYTES) break;
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, status: res.statusCode };
    if (res.statusCode >= 300 && res.statusCode < 400) {
      return { ok: false, status: res.statusCode, error: `redirect to elsewhere not followed (HTTP ${res.statusCode})` };
    }
    return { ok: false, status: res.statusCode, error: `receiver answered HTTP ${res.statusCode}` };
  } catch (err) {
    const e = err as { code?: string; name?: string };
    const what = e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT' ? 'timed out' : (e.code ?? e.name ?? 'failed');
    return { ok: false, status: null, error: `delivery ${what}` };
  } finally {
    agent.destroy().catch(() => undefined);
  }
}
