/** Durable batch jobs: create (or dry-run), watch, stream results as NDJSON, cancel, list. */
import { z } from 'zod';
import type { BatchJob } from '../../gateway/index.js';
import { batchWebhookId, checkWebhookTarget } from '../../webhooks/index.js';
import { owns } from '../middleware/auth.js';
import { budgetExceeded, remainingBudget } from '../budget.js';
import { HttpError } from '../errors.js';
import { type RouteDef, route } from '../route.js';
import { boolish, limitParam, opaqueId, priority, providerName } from '../schemas.js';
import type { AppDeps, Principal } from '../types.js';
import { newSecret } from './webhooks.js';

const batchBody = z.object({
  indicators: z.array(z.string().max(8192)).min(1).max(100_000),
  priority: priority.optional(),
  provider: providerName.optional(),
  budget: z.number().int().min(0).nullable().optional().describe('Max upstream calls the batch may spend'),
  webhook: z.string().max(2048).nullable().optional().describe('URL notified (signed) when the batch completes'),
  dryRun: z.boolean().optional().describe('Only estimate the cost (cached, in flight, upstream calls, ETA)'),
});

async function ownedJob(deps: AppDeps, p: Principal, id: string): Promise<BatchJob> {
  const view = await deps.gateway.batch(id);
  if (!view || !owns(p, view.job.owner)) throw new HttpError(404, 'NotFound', `no batch with id ${id}`);
  return view.job;
}

const RESULT_CHUNK = 500;

function ndjsonStream(deps: AppDeps, id: string, afterSeq: number, finishedOnly: boolean): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after = afterSeq;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const lines: string[] = [];
      for await (const item of deps.gateway.batchResults(id, { afterSeq: after, finishedOnly })) {
        after = item.seq;
        lines.push(JSON.stringify(item));
        if (lines.length >= RESULT_CHUNK) break;
      }
      if (lines.length === 0) controller.close();
      else controller.enqueue(encoder.encode(`${lines.join('\n')}\n`));
    },
  });
}

export const batchRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/api/batch',
    summary:
      'Create a batch job from JSON {indicators, priority?, budget?, webhook?, dryRun?} or text/plain (one indicator per line, # comments and blank lines skipped)',
    tag: 'batches',
    access: 'analyst',
    body: { type: 'batch', schema: batchBody },
    status: 202,
    responses: { 400: 'No indicators, or a refused webhook URL', 413: 'Body too large (1 MB JSON, 5 MB text)', 429: 'The token budget is spent' },
    handler: async ({ c, deps, principal, body }) => {
      if (body.indicators.length > deps.limits.batchItems) {
        throw new HttpError(413, 'PayloadTooLarge', `at most ${deps.limits.batchItems} indicators per batch`);
      }
      if (body.dryRun) {
        const estimate = await deps.gateway.estimate(body.indicators, { provider: body.provider });
        return c.json({ dryRun: true, estimate });
      }
      const left = await remainingBudget(deps, principal);
      if (left === 0 && body.budget !== 0) {
        // a spent token may still run a cache-only batch (budget 0); anything else would spend
        throw budgetExceeded(deps, principal);
      }
      const budget = await deps.gateway.tokens.batchBudget(principal, body.budget);
      let webhookSecret: string | undefined;
      if (body.webhook) await checkWebhookTarget(body.webhook, { allowlist: deps.gateway.config.server.webhookAllowlist });
      const job = await deps.gateway.createBatch(body.indicators, {
        priority: body.priority ?? 'batch',
        budget,
        webhook: body.webhook ?? null,
        owner: principal.tokenId,
        ...(body.provider ? { provider: body.provider } : {}),
      });
      if (body.webhook) {
        webhookSecret = newSecret();
        await deps.gateway.webhooks.create({
          id: batchWebhookId(job.id),
          owner: principal.tokenId,
          url: body.webhook,
          events: ['batch.completed'],
          secret: webhookSecret,
          active: false,
        });
      }
      c.header('Location', `/api/batch/${job.id}`);
      return c.json({ job, ...(webhookSecret ? { webhookSecret } : {}), results: `/api/batch/${job.id}/results` }, 202);
    },
  }),
  route({
    method: 'get',
    path: '/api/batch',
    summary: 'Your batch jobs (all of them for admins), newest first',
    tag: 'batches',
    access: 'analyst',
    query: z.object({ limit: limitParam(1000) }),
    handler: async ({ c, deps, principal, query }) => {
      const limit = query.limit ?? 100;
      const jobs = principal.role === 'admin' ? await deps.gateway.listBatches({ limit }) : await deps.gateway.listBatches({ owner: principal.tokenId, limit });
      return c.json({ jobs });
    },
  }),
  route({
    method: 'get',
    path: '/api/batch/{id}',
    summary: 'A batch job: status, counts, upstream calls spent, ETA',
    tag: 'batches',
    access: 'analyst',
    params: z.object({ id: opaqueId }),
    handler: async ({ c, deps, principal, params }) => {
      await ownedJob(deps, principal, params.id);
      return c.json(await deps.gateway.batch(params.id));
    },
  }),
  route({
    method: 'get',
    path: '/api/batch/{id}/results',
    summary: 'Items in input order as NDJSON (one BatchItem per line), streamed; ?after=<seq> resumes, ?finished=true skips pending items',
    tag: 'batches',
    access: 'analyst',
    params: z.object({ id: opaqueId }),
    query: z.object({ after: z.coerce.number().int().min(-1).max(Number.MAX_SAFE_INTEGER).optional(), finished: boolish.optional() }),
    produces: 'application/x-ndjson',
    handler: async ({ c, deps, principal, params, query }) => {
      await ownedJob(deps, principal, params.id);
      return c.body(ndjsonStream(deps, params.id, query.after ?? -1, query.finished ?? false), 200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
    },
  }),
  route({
    method: 'delete',
    path: '/api/batch/{id}',
    summary: 'Cancel a batch job (finished items keep their answers)',
    tag: 'batches',
    access: 'analyst',
    params: z.object({ id: opaqueId }),
    handler: async ({ c, deps, principal, params }) => {
      await ownedJob(deps, principal, params.id);
      const cancelled = await deps.gateway.cancelBatch(params.id);
      return c.json({ cancelled, job: (await deps.gateway.batch(params.id))?.job });
    },
  }),
];
