/** Lookups of any kind: `/api/lookup`, the per-kind paths, and the seed service's paths. */
import { z } from 'zod';
import type { IndicatorKind } from '../../indicators/index.js';
import { jsonResponse } from '../respond.js';
import { budgetExceeded, chargeOf, lookupAs, remainingBudget } from '../budget.js';
import { HttpError } from '../errors.js';
import { indicatorOfKind } from '../indicator-input.js';
import { type RouteDef, type RouteInput, route } from '../route.js';
import { boolish, type LookupQuery, lookupOptionsOf, lookupQuery, priority, providerName } from '../schemas.js';
import { lookupResultJson } from '../serialize.js';

const ENRICH_PROVIDERS = providerName.options;
type EnrichProvider = (typeof ENRICH_PROVIDERS)[number];

const LOOKUP_RESPONSES = {
  400: 'Not a valid indicator',
  404: 'Not cached (reader tokens and spent budgets answer from the cache only)',
  429: 'Quota or the token budget is spent (see Retry-After)',
};

async function answer(input: RouteInput<unknown, LookupQuery, unknown>, raw: string, kind?: IndicatorKind): Promise<Response> {
  const { c, deps, principal, query, request } = input;
  const result = await lookupAs(deps, principal, kind ? indicatorOfKind(raw, kind) : raw, lookupOptionsOf(query), () => request.signal);
  return jsonResponse(c, lookupResultJson(result), 200, { 'x-vtg-source': result.source });
}

function byKind(path: string, param: string, kind: IndicatorKind, summary: string): RouteDef {
  return route({
    method: 'get',
    path,
    summary,
    tag: 'lookups',
    access: 'reader',
    params: z.object({ [param]: z.string().min(1).max(8192) }) as z.ZodType<Record<string, string>>,
    query: lookupQuery,
    responses: LOOKUP_RESPONSES,
    handler: (i) => answer(i, i.params[param] as string, kind),
  });
}

export const lookupRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/api/lookup',
    summary: 'Look up any indicator given as ?q= (hash, URL, domain or IP; defanged input is accepted)',
    tag: 'lookups',
    access: 'reader',
    query: lookupQuery.extend({ q: z.string().min(1).max(8192) }),
    responses: LOOKUP_RESPONSES,
    handler: (i) => answer(i, i.query.q),
  }),
  route({
    method: 'get',
    path: '/api/lookup/{indicator}',
    honoPath: '/api/lookup/:indicator{.+}',
    summary: 'Look up any indicator (a URL may contain slashes; prefer ?q= for URLs with a query string)',
    tag: 'lookups',
    access: 'reader',
    params: z.object({ indicator: z.string().min(1).max(8192) }),
    query: lookupQuery,
    responses: LOOKUP_RESPONSES,
    handler: (i) => answer(i, i.params.indicator),
  }),
  byKind('/api/files/{hash}', 'hash', 'file', 'File report by MD5, SHA-1 or SHA-256'),
  route({
    method: 'get',
    path: '/api/urls',
    summary: 'URL report by the URL itself (?url=)',
    tag: 'lookups',
    access: 'reader',
    query: lookupQuery.extend({ url: z.string().min(1).max(8192) }),
    responses: LOOKUP_RESPONSES,
    handler: (i) => answer(i, i.query.url, 'url'),
  }),
  byKind('/api/urls/{id}', 'id', 'url', 'URL report by id (sha256 of the URL, or its unpadded base64url form)'),
  byKind('/api/domains/{domain}', 'domain', 'domain', 'Domain report'),
  byKind('/api/ip_addresses/{ip}', 'ip', 'ip', 'IP address report'),
  byKind('/api/report/url/{url_id}', 'url_id', 'url', 'URL report by id (seed service path)'),
  byKind('/api/report/{hash}', 'hash', 'file', 'File report (seed service path)'),
  byKind('/api/reputation/ip/{ip}', 'ip', 'ip', 'IP address report (seed service path)'),
  byKind('/api/reputation/domain/{domain}', 'domain', 'domain', 'Domain report (seed service path)'),
  route({
    method: 'get',
    path: '/api/enrich/{indicator}',
    honoPath: '/api/enrich/:indicator{.+}',
    summary: 'Every applicable provider at once (VirusTotal, URLhaus, DShield, SPUR), merged',
    description:
      'Reader tokens, cacheOnly=true and tokens whose daily budget is spent are answered from the cache only (a source that is not cached ' +
      'reports error NotCachedError; with a spent budget and nothing cached at all the answer is 429 BudgetExceeded). Every upstream call ' +
      "is charged to the token's daily budget.",
    tag: 'lookups',
    access: 'reader',
    params: z.object({ indicator: z.string().min(1).max(8192) }),
    query: z.object({
      providers: z.string().max(200).optional().describe('Comma-separated subset, e.g. virustotal,spur'),
      cacheOnly: boolish.optional().describe('Answer from the cache only and never spend quota (reader tokens always get this).'),
      priority: priority.optional().describe('Queue priority of upstream calls (default interactive; ignored for reader tokens).'),
    }),
    responses: { 400: 'Not a valid indicator, or an unknown provider', 429: 'The token budget is spent and nothing is cached' },
    handler: async ({ c, deps, principal, params, query, signal }) => {
      const wanted = query.providers?.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = wanted?.find((p) => !(ENRICH_PROVIDERS as readonly string[]).includes(p));
      if (bad) throw new HttpError(400, 'BadRequest', `unknown provider "${bad}"; use ${ENRICH_PROVIDERS.join(', ')}`);
      const spent = principal.role !== 'reader' && query.cacheOnly !== true && await remainingBudget(deps, principal) === 0;
      const cacheOnly = principal.role === 'reader' || query.cacheOnly === true || spent;
      const result = await deps.gateway.enrich(params.indicator, {
        ...(wanted ? { providers: wanted as EnrichProvider[] } : {}),
        cacheOnly,
        ...(cacheOnly ? {} : { priority: query.priority, onUpstreamCall: chargeOf(deps, principal) }),
        tenant: principal.tokenId ?? 'local',
        signal,
      });
      if (spent && !result.sources.some((s) => s.ok)) throw budgetExceeded(deps, principal);
      return c.json(result);
    },
  }),
];
