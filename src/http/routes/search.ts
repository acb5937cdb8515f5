/** Search, correlation and exports over the cache and history (issue #15). None of them spends quota. */
import { z } from 'zod';
import { EXPORT_FORMATS, type ExportStream } from '../../exports/index.js';
import { searchParamsSchema, toSearchQuery } from '../../search/index.js';
import { HttpError } from '../errors.js';
import { type RouteDef, route } from '../route.js';

async function badQuery<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RangeError) throw new HttpError(400, 'InvalidQuery', err.message);
    throw err;
  }
}

/** An export as a streamed body: each chunk is produced when the client reads it. */
function streamBody(stream: ExportStream): ReadableStream<Uint8Array> {
  const it = stream.chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await it.next();
      if (done) controller.close();
      else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
    },
    async cancel() {
      await it.return?.();
    },
  });
}

const exportQuery = searchParamsSchema.omit({ limit: true, cursor: true }).extend({
  format: z.enum(EXPORT_FORMATS).default('json'),
  tlp: z.string().regex(/^tlp:[a-z+-]{3,20}$/).optional(),
});

export const searchRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/api/search',
    summary: 'Search the cache and history: filters, sort, cursor pages and a total count (no quota spent)',
    description:
      'Filters: since, until (ISO 8601, epoch ms, or an age such as 24h), kind, verdict (comma-separated), min_detections, label (substring), provider, tag, source (batch:<id>, cowrie:<run>, ...), q (free text over values and file names), after (feed cursor). sort: last_seen (default), first_seen, detections, indicator; order asc/desc; limit 1..1000; cursor from nextCursor.',
    tag: 'search',
    access: 'reader',
    query: searchParamsSchema,
    handler: async ({ c, deps, query }) => c.json(await badQuery(() => deps.gateway.search(toSearchQuery(query, deps.gateway.clock.now())))),
  }),
  route({
    method: 'get',
    path: '/api/related/{indicator}',
    honoPath: '/api/related/:indicator{.+}',
    summary: 'The neighbourhood of an indicator as nodes and edges with the evidence of each edge (no quota spent)',
    tag: 'search',
    access: 'reader',
    params: z.object({ indicator: z.string().min(1).max(8192) }),
    query: z.object({ depth: z.coerce.number().int().min(1).max(4).optional(), max_nodes: z.coerce.number().int().min(1).max(2000).optional(), labels: z.enum(['true', 'false']).optional() }),
    handler: async ({ c, deps, params, query }) =>
      c.json(await deps.gateway.related(params.indicator, { ...(query.depth ? { depth: query.depth } : {}), ...(query.max_nodes ? { maxNodes: query.max_nodes } : {}), labels: query.labels !== 'false' })),
  }),
  route({
    method: 'get',
    path: '/api/export',
    summary: 'Export a search (or everything) as csv, ndjson, json, ioc, stix, misp or pdf, streamed',
    description:
      'Same filters as /api/search. For SIEM polling: pass the X-Feed-Cursor of the previous answer as after= to get only what changed, and its ETag as If-None-Match to get 304 when nothing did.',
    tag: 'search',
    access: 'reader',
    query: exportQuery,
    produces: 'application/octet-stream',
    responses: { 304: 'Not modified (If-None-Match matched the ETag)' },
    handler: async ({ c, deps, query }) => {
      const { format, tlp, ...filters } = query;
      const stream = await badQuery(() => deps.gateway.export({ format, query: toSearchQuery(filters, deps.gateway.clock.now()), ...(tlp ? { tlp } : {}) }));
      const headers: Record<string, string> = {
        ETag: stream.etag,
        'X-Feed-Cursor': String(stream.feedCursor),
        'X-Total-Count': String(stream.total),
        'Cache-Control': 'no-cache',
      };
      const inm = c.req.header('if-none-match');
      if (inm?.split(',').some((t) => t.trim() === stream.etag || t.trim() === '*')) return new Response(null, { status: 304, headers });
      headers['Content-Type'] = stream.contentType;
      headers['Content-Disposition'] = `attachment; filename="vtg-export.${stream.extension}"`;
      return new Response(streamBody(stream), { status: 200, headers });
    },
  }),
];
