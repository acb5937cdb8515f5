/**
 * `GET /api/events`: server-sent events for the dashboard (and any script). Every few seconds an
 * `overview` event (the bodies of /api/stats and /api/providers), a `batches` event (the caller's
 * jobs, as /api/batch) and one `change` event per new verdict change (as /api/history/changes).
 * The stream ends after a few minutes; EventSource reconnects on its own.
 */
import { z } from 'zod';
import { type RouteDef, route } from '../route.js';

const STREAM_MS = 5 * 60_000;

export const eventRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/api/events',
    summary: 'Server-sent events: overview (stats and providers), batches and verdict changes, live',
    tag: 'operations',
    access: 'reader',
    query: z.object({ interval: z.coerce.number().int().min(250).max(60_000).optional().describe('Milliseconds between overview events (default 2000)') }),
    produces: 'text/event-stream',
    handler: ({ c, deps, principal, query }) => {
      const gateway = deps.gateway;
      const interval = query.interval ?? 2000;
      let since = Date.now();
      let timer: NodeJS.Timeout | undefined;
      let ended: NodeJS.Timeout | undefined;
      const encoder = new TextEncoder();
      const stop = () => {
        clearInterval(timer);
        clearTimeout(ended);
      };
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          const send = (event: string, data: unknown) => controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
          const tick = async () => {
            try {
              send('overview', { stats: gateway.stats(), providers: await gateway.providers(), at: Date.now() });
              const jobs = principal.role === 'reader' ? [] : principal.role === 'admin' ? await gateway.listBatches({ limit: 50 }) : await gateway.listBatches({ owner: principal.tokenId, limit: 50 });
              send('batches', { jobs });
              const changes = await gateway.changes({ since, limit: 100 });
              for (const change of changes.slice().reverse()) {
                send('change', change);
                since = Math.max(since, change.at + 1);
              }
            } catch {
              stop();
              try {
                controller.close();
              } catch {}
            }
          };
          controller.enqueue(encoder.encode(`retry: 2000\n\n`));
          void tick();
          timer = setInterval(tick, interval);
          ended = setTimeout(() => {
            stop();
            try {
              controller.close();
            } catch {}
          }, STREAM_MS);
          c.req.raw.signal?.addEventListener('abort', () => {
            stop();
            try {
              controller.close();
            } catch {}
          });
        },
        cancel: stop,
      });
      return c.body(body, 200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    },
  }),
];
