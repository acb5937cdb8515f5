/** Error answers in the caller's dialect: `{error:{code,message}}`, with VirusTotal's codes on /api/v3. */
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { classifyError, vtErrorCode } from './errors.js';
import { familyOf } from './route.js';
import type { AppEnv } from './types.js';

/** Status, headers and body of an error answer, in the dialect of the path (VT codes on /api/v3). */
export function renderError(path: string, err: unknown, log: Logger, requestId: string): { status: number; headers: Record<string, string>; body: string } {
  const e = classifyError(err);
  if (e.internal) {
    const error = err as { name?: string; message?: string; stack?: string };
    log.error({ reqId: requestId, err: { name: error?.name, message: error?.message, stack: error?.stack } }, 'internal error');
  }
  const code = familyOf(path) === 'v3' ? vtErrorCode(e.status, e.code) : e.code;
  return { status: e.status, headers: { ...e.headers, 'X-VTG-Error': code }, body: JSON.stringify({ error: { code, message: e.message } }) };
}

export function errorResponse(c: Context<AppEnv>, err: unknown, log: Logger): Response {
  const r = renderError(c.req.path, err, log, c.get('requestId'));
  return c.body(r.body, r.status as 400, { 'content-type': 'application/json', ...r.headers });
}
