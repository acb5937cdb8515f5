/** Zod schemas shared by several routes (they validate requests and feed the OpenAPI document). */
import { z } from 'zod';
import { PROVIDERS } from '../providers/types.js';
import type { CallerLookupOptions } from './budget.js';

export const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const providerName = z.enum(PROVIDERS);
export const indicatorKind = z.enum(['file', 'url', 'domain', 'ip']);
export const priority = z.enum(['interactive', 'batch', 'background']);

/** An opaque id in a path (batch, webhook, token): no slashes, no dots-only names. */
export const opaqueId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9:._-]*$/, 'not a valid id');

const intParam = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const limitParam = (max: number) => intParam(1, max).optional();

export const lookupQuery = z.object({
  maxAge: intParam(0, 10 * 365 * 86_400).optional().describe('Refetch when the cached answer is older than this many seconds (0 forces a fresh answer).'),
  allowStale: boolish.optional().describe('When the quota is spent, answer an expired cache entry marked stale (default true).'),
  wait: boolish.optional().describe('Wait for quota when none is left (bounded by the request time limit) instead of answering 429 at once (default false).'),
  provider: providerName.optional().describe('Default virustotal.'),
  cacheOnly: boolish
    .optional()
    .describe('Answer from the cache only and never spend quota: 404 NotCached when nothing is cached (reader tokens always get this).'),
  priority: priority.optional().describe('Queue priority of an upstream call (default interactive; ignored for reader tokens).'),
});
export type LookupQuery = z.infer<typeof lookupQuery>;

/** What a lookup query asks of the Gateway (the caller's role and budget are applied by `lookupAs`). */
export function lookupOptionsOf(query: LookupQuery): CallerLookupOptions {
  return {
    provider: query.provider,
    maxAgeMs: query.maxAge === undefined ? undefined : query.maxAge * 1000,
    allowStale: query.allowStale,
    waitForQuota: query.wait ?? false,
    cacheOnly: query.cacheOnly,
    priority: query.priority,
  };
}

export const sinceQuery = z.object({
  limit: limitParam(1000),
  since: intParam(0, Number.MAX_SAFE_INTEGER).optional().describe('Epoch milliseconds.'),
});

export const webhookEvents = z.enum(['analysis.completed', 'batch.completed', 'verdict.changed']);
