/** Webhook subscriptions: register (the target is SSRF-checked), list, delete, delivery log. */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Webhook } from '../../gateway/index.js';
import { checkWebhookTarget, WEBHOOK_EVENTS } from '../../webhooks/index.js';
import { owns } from '../middleware/auth.js';
import { HttpError } from '../errors.js';
import { type RouteDef, route } from '../route.js';
import { limitParam, opaqueId, webhookEvents } from '../schemas.js';
import type { AppDeps, Principal } from '../types.js';

export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** A webhook as listed: never its secret. */
function publicView(h: Webhook) {
  return { id: h.id, url: h.url, events: h.events, owner: h.owner, createdAt: h.createdAt, active: h.active };
}

async function ownedHook(deps: AppDeps, p: Principal, id: string): Promise<Webhook> {
  const hook = await deps.gateway.webhooks.get(id);
  if (!hook || !owns(p, hook.owner)) throw new HttpError(404, 'NotFound', `no webhook with id ${id}`);
  return hook;
}

export const webhookRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/api/webhooks',
    summary: `Register a webhook for ${WEBHOOK_EVENTS.join(', ')}. A secret is generated when none is given and returned only here`,
    description:
      'Deliveries are POSTed as JSON with headers X-VTG-Event, X-VTG-Delivery (an id: deduplicate on it) and ' +
      'X-VTG-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of the text "<t>.<raw body>" keyed with the secret>. Failed deliveries are retried ' +
      'with exponential backoff (1 min doubling, capped at 1 h) for 24 h.',
    tag: 'webhooks',
    access: 'analyst',
    body: {
      type: 'json',
      schema: z.object({
        url: z.string().min(1).max(2048),
        events: z.array(webhookEvents).min(1).max(3),
        secret: z.string().min(16).max(256).optional(),
      }),
    },
    status: 201,
    responses: { 400: 'Bad URL or a private/loopback target that is not allowlisted' },
    handler: async ({ c, deps, principal, body }) => {
      await checkWebhookTarget(body.url, { allowlist: deps.gateway.config.server.webhookAllowlist });
      const secret = body.secret ?? newSecret();
      const hook = await deps.gateway.webhooks.create({ owner: principal.tokenId, url: body.url, events: [...new Set(body.events)], secret });
      return c.json({ ...publicView(hook), secret }, 201);
    },
  }),
  route({
    method: 'get',
    path: '/api/webhooks',
    summary: 'Your webhooks (all of them for admins); secrets are never listed',
    tag: 'webhooks',
    access: 'analyst',
    handler: async ({ c, deps, principal }) => {
      const hooks = principal.role === 'admin' ? await deps.gateway.webhooks.list() : await deps.gateway.webhooks.list(principal.tokenId);
      return c.json({ webhooks: hooks.map(publicView) });
    },
  }),
  route({
    method: 'delete',
    path: '/api/webhooks/{id}',
    summary: 'Remove a webhook and its delivery log',
    tag: 'webhooks',
    access: 'analyst',
    params: z.object({ id: opaqueId }),
    handler: async ({ c, deps, principal, params }) => {
      await ownedHook(deps, principal, params.id);
      return c.json({ deleted: await deps.gateway.webhooks.delete(params.id) });
    },
  }),
  route({
    method: 'get',
    path: '/api/webhooks/{id}/deliveries',
    summary: 'Delivery log, newest first: status (pending, delivered, failed awaiting retry, dead), attempts, last HTTP status and error',
    tag: 'webhooks',
    access: 'analyst',
    params: z.object({ id: opaqueId }),
    query: z.object({ limit: limitParam(500) }),
    handler: async ({ c, deps, principal, params, query }) => {
      await ownedHook(deps, principal, params.id);
      return c.json({ deliveries: await deps.gateway.webhooks.deliveries(params.id, query.limit ?? 50) });
    },
  }),
  route({
    method: 'post',
    path: '/api/webhooks/{id}/deliveries/{delivery}/retry',
    summary: 'Retry a dead letter: the delivery goes back in the queue now (its attempts are kept)',
    tag: 'webhooks',
    access: 'analyst',
    params: z.object({ id: opaqueId, delivery: opaqueId }),
    responses: { 404: 'No such webhook', 409: 'The delivery is not dead' },
    handler: async ({ c, deps, principal, params }) => {
      await ownedHook(deps, principal, params.id);
      if (!await deps.gateway.webhooks.retryDead(params.id, params.delivery)) throw new HttpError(409, 'Conflict', `delivery ${params.delivery} is not a dead letter of this webhook`);
      return c.json({ retried: true });
    },
  }),
];
