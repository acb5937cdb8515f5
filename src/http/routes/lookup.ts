/** Lookups of any kind: `/api/lookup`, the per-kind paths, and the seed service's paths. */
import { z } from 'zod';
import type { IndicatorKind } from '../../indicators/index.js';
import { jsonResponse } from '../respond.js';
import { budgetExceeded, lookupAs, remainingBudget } from '../budget.js';
import { HttpError } from '../errors.js';
import { indicatorOfKind } from '../indicator-input.js';
import { type RouteDef, type RouteInput, route } from '../route.js';
import { type LookupQuery, lookupQuery } from '../schemas.js';
import { lookupResultJson } from '../serialize.js';

const LOOKUP_RESPONSES = {
  400: 'Not a valid indicator',
  404: 'Not cached (reader tokens and spent budgets answer from the cache only)',
  429: 'Quota or the token budget is spent (see Retry-After)',
};

async function answer(input: RouteInput<unknown, LookupQuery, unknown>, raw: string, kind?: IndicatorKind): Promise<Response> {
  const { c, deps, principal, query, request } = input;
  const result = await lookupAs(
    deps,
    principal,
    kind ? indicatorOfKind(raw, kind) : raw,
    {
      provider: query.provider,
      maxAgeMs: query.maxAge === undefined ? undefined : query.maxAge * 1000,
      allowStale: query.allowStale,
      waitForQuota: query.wait ?? false,
    },
    () => request.signal,
  );
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
    tag: 'lookups',
    access: 'analyst',
    params: z.object({ indicator: z.string().min(1).max(8192) }),
    query: z.object({ providers: z.string().max(200).optional().describe('Comma-separated subset, e.g. virustotal,spur') }),
    responses: { 400: 'Not a valid indicator', 429: 'The token budget is spent' },
    handler: async ({ c, deps, principal, params, query, signal }) => {
      if (remainingBudget(deps, principal) === 0) throw budgetExceeded(deps, principal);
      const wanted = query.providers?.split(',').map((s) => s.trim()).filter(Boolean);
      const known = ['virustotal', 'urlhaus', 'dshield', 'spur'] as const;
      const bad = wanted?.find((p) => !(known as readonly string[]).includes(p));
      if (bad) throw new HttpError(400, 'BadRequest', `unknown provider "${bad}"; use ${known.join(', ')}`);
      const result = await deps.gateway.enrich(params.indicator, {
        ...(wanted ? { providers: wanted as Array<(typeof known)[number]> } : {}),
        signal,
      });
      return c.json(result);
    },
  }),
];
