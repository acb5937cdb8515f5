/** `GET /api/v3/{files,urls,domains,ip_addresses}/{id}`: VirusTotal objects through the gateway's cache and governor. */
import { z } from 'zod';
import { answerPermalink, type IndicatorKind } from '../../indicators/index.js';
import { lookupAs } from '../budget.js';
import { HttpError } from '../errors.js';
import { indicatorOfKind } from '../indicator-input.js';
import { type RouteDef, route } from '../route.js';
import { requestOrigin, rewriteLinks } from './links.js';

export type Collection = 'files' | 'urls' | 'domains' | 'ip_addresses';

export const COLLECTION_KIND: Record<Collection, { kind: IndicatorKind; label: string }> = {
  files: { kind: 'file', label: 'File' },
  urls: { kind: 'url', label: 'URL' },
  domains: { kind: 'domain', label: 'Domain' },
  ip_addresses: { kind: 'ip', label: 'IP address' },
};

function objectRoute(collection: Collection): RouteDef {
  const { kind, label } = COLLECTION_KIND[collection];
  return route({
    method: 'get',
    path: `/api/v3/${collection}/{id}`,
    summary: `VirusTotal ${label.toLowerCase()} object, answered from the gateway cache or fetched through the quota governor`,
    tag: 'virustotal-v3',
    access: 'reader',
    params: z.object({ id: z.string().min(1).max(8192) }),
    responses: { 404: 'NotFoundError', 429: 'QuotaExceededError' },
    handler: async ({ c, deps, principal, params, request }) => {
      const indicator = indicatorOfKind(params.id, kind);
      // as VirusTotal does: spent quota is a 429 QuotaExceededError with Retry-After at once, not a wait
      const result = await lookupAs(deps, principal, indicator, { waitForQuota: false }, () => request.signal);
      const data = result.report.data;
      if (!result.report.found || !data || typeof data !== 'object') {
        throw new HttpError(404, 'NotFoundError', `${label} "${params.id}" not found`);
      }
      c.header('X-VTG-Source', result.source);
      // `permalink` beside `data`, as `simulated` is: VirusTotal clients read `data` and ignore the rest
      return c.json({ data: rewriteLinks(data, requestOrigin(c)), permalink: answerPermalink(result) });
    },
  });
}

export const v3ObjectRoutes: RouteDef[] = (['files', 'urls', 'domains', 'ip_addresses'] as const).map(objectRoute);
