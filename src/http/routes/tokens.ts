/** Client tokens (admin only). The token itself is shown once, at creation; only its hash is stored. */
import { z } from 'zod';
import { tokensChanged } from '../middleware/auth.js';
import { HttpError } from '../errors.js';
import { type RouteDef, route } from '../route.js';
import { opaqueId } from '../schemas.js';

const uploadPolicy = z.enum(['never', 'unknown-only', 'always']).describe('whether scans on this token\'s behalf may upload files (null: the server\'s default)');

export const tokenRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/api/tokens',
    summary: 'Create a token (roles: admin, analyst, reader; optional daily budget of upstream calls). The token is returned once',
    tag: 'tokens',
    access: 'admin',
    body: {
      type: 'json',
      schema: z.object({
        name: z.string().trim().min(1).max(100),
        role: z.enum(['admin', 'analyst', 'reader']),
        dailyBudget: z.number().int().min(0).nullable().optional(),
        uploadPolicy: uploadPolicy.nullable().optional(),
      }),
    },
    status: 201,
    responses: { 409: 'A live token already has this name' },
    handler: async ({ c, deps, body }) => {
      try {
        const created = await deps.gateway.tokens.create({ name: body.name, role: body.role, dailyBudget: body.dailyBudget ?? null, uploadPolicy: body.uploadPolicy ?? null });
        tokensChanged(deps.gateway.tokens);
        return c.json(created, 201);
      } catch (err) {
        if (err instanceof RangeError) throw new HttpError(/already exists/.test(err.message) ? 409 : 400, 'BadRequest', err.message);
        throw err;
      }
    },
  }),
  route({
    method: 'get',
    path: '/api/tokens',
    summary: 'Every token record (never the tokens themselves)',
    tag: 'tokens',
    access: 'admin',
    handler: async ({ c, deps }) => c.json({ tokens: await deps.gateway.tokens.list() }),
  }),
  route({
    method: 'patch',
    path: '/api/tokens/{id}',
    summary: 'Change a live token (by id or name): its daily budget or its upload policy (null clears either)',
    tag: 'tokens',
    access: 'admin',
    params: z.object({ id: opaqueId }),
    body: {
      type: 'json',
      schema: z
        .object({ dailyBudget: z.number().int().min(0).nullable().optional(), uploadPolicy: uploadPolicy.nullable().optional() })
        .refine((b) => b.dailyBudget !== undefined || b.uploadPolicy !== undefined, 'give dailyBudget or uploadPolicy'),
    },
    responses: { 404: 'No live token with this id or name' },
    handler: async ({ c, deps, params, body }) => {
      const record = await deps.gateway.tokens.update(params.id, body);
      if (!record) throw new HttpError(404, 'NotFound', `no live token ${params.id}`);
      tokensChanged(deps.gateway.tokens);
      return c.json(record);
    },
  }),
  route({
    method: 'delete',
    path: '/api/tokens/{id}',
    summary: 'Revoke a token by id or name',
    tag: 'tokens',
    access: 'admin',
    params: z.object({ id: opaqueId }),
    responses: { 409: 'The last admin token of a server bound off loopback (it would open the server)' },
    handler: async ({ c, deps, params }) => {
      if (deps.requireTokens) {
        const live = (await deps.gateway.tokens.list()).filter((t) => t.revokedAt === null);
        const target = live.find((t) => t.id === params.id || t.name === params.id);
        if (target?.role === 'admin' && live.filter((t) => t.role === 'admin').length === 1) {
          throw new HttpError(409, 'LastAdminToken', 'this is the last admin token of a server bound off loopback; create another admin token first');
        }
      }
      if (!await deps.gateway.tokens.revoke(params.id)) throw new HttpError(404, 'NotFound', `no live token ${params.id}`);
      tokensChanged(deps.gateway.tokens);
      return c.json({ revoked: true });
    },
  }),
];
