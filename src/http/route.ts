/**
 * One route = one table entry: method, path, access, the zod schemas that validate its params,
 * query and body, and its handler. The same entries build the OpenAPI document, so the document
 * cannot drift from what the server accepts.
 */
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { type Access, authenticate, type Family } from './middleware/auth.js';
import { readBatch, readForm, readJson, validate } from './middleware/body.js';
import type { RequestSignal } from './middleware/deadlines.js';
import type { AppDeps, AppEnv, Principal } from './types.js';

export type BodySpec<B> =
  /** application/json */
  | { type: 'json'; schema: z.ZodType<B> }
  /** urlencoded, multipart (text fields) or JSON */
  | { type: 'form'; schema: z.ZodType<B> }
  /** JSON, or text/plain one indicator per line */
  | { type: 'batch'; schema: z.ZodType<B> }
  /** multipart with a `file` part, streamed by the handler itself; `fields` documents the text fields */
  | { type: 'upload'; fields: z.ZodType<unknown> };

export interface RouteInput<P, Q, B> {
  c: Context<AppEnv>;
  deps: AppDeps;
  /** Null only on public routes called without a token. */
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  /** Aborts when the client goes away or the time limit runs out (created on first access). */
  signal: AbortSignal;
  request: RequestSignal;
}

export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI form: `/api/files/{hash}`. */
  path: string;
  /** Hono form when it differs (e.g. a parameter that may contain slashes). */
  honoPath?: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: BodySpec<B>;
  /** Extra documented answers (status -> description); the success answer is documented from `produces`. */
  responses?: Record<number, string>;
  /** Content type of the success answer (default application/json). */
  produces?: string;
  /** Success status (default 200). */
  status?: number;
  handler: (input: RouteInput<P, Q, B>) => Promise<Response> | Response;
}

/** Identity helper that lets TypeScript infer P, Q and B from the schemas. */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

export function familyOf(path: string): Family {
  return path.startsWith('/api/v3/') || path === '/api/v3' ? 'v3' : 'api';
}

export function toHonoPath(path: string): string {
  return path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}

export function register(app: Hono<AppEnv>, def: RouteDef, deps: AppDeps): void {
  const family = familyOf(def.path);
  const path = def.honoPath ?? toHonoPath(def.path);
  app.on(def.method.toUpperCase(), path, async (c) => {
    const principal = await authenticate(c, deps, def.access, family);
    if (principal) c.set('principal', principal);
    const params = def.params ? validate(def.params, c.req.param(), 'path parameter') : {};
    const query = def.query ? validate(def.query, c.req.query(), 'query') : {};
    let body: unknown;
    const spec = def.body as BodySpec<unknown> | undefined;
    if (spec?.type === 'json') body = await readJson(c, spec.schema, deps.limits.jsonBytes);
    else if (spec?.type === 'form') body = await readForm(c, spec.schema, deps.limits.jsonBytes);
    else if (spec?.type === 'batch') body = await readBatch(c, spec.schema, { json: deps.limits.jsonBytes, text: deps.limits.textBatchBytes });
    const request = c.get('request');
    return def.handler({
      c,
      deps,
      principal: principal as Principal,
      params,
      query,
      body,
      // created on first use: a cache hit never pays for an AbortSignal
      get signal() {
        return request.signal;
      },
      request,
    });
  });
}
