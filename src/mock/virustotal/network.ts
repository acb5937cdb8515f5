import { isIP } from 'node:net';
import type { VtContext } from './context.js';
import { objectView } from './build.js';
import { domainObject, ipObject } from './objects.js';
import { relationshipPage } from './relationships.js';

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

function validDomain(ctx: VtContext, raw: string): string | null {
  const domain = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!DOMAIN.test(domain)) {
    ctx.error(400, 'InvalidArgumentError', `Domain "${raw}" is not a valid domain pattern`);
    return null;
  }
  if (!ctx.world.profile('domain', domain).found) {
    ctx.error(404, 'NotFoundError', `Domain "${raw}" not found`);
    return null;
  }
  return domain;
}

function validIp(ctx: VtContext, raw: string): string | null {
  const ip = raw.trim().toLowerCase();
  if (isIP(ip) === 0) {
    ctx.error(400, 'InvalidArgumentError', `"${raw}" is not a valid IP address`);
    return null;
  }
  if (!ctx.world.profile('ip', ip).found) {
    ctx.error(404, 'NotFoundError', `IP address "${raw}" not found`);
    return null;
  }
  return ip;
}

export function getDomain(ctx: VtContext): void {
  const domain = validDomain(ctx, ctx.params[0] ?? '');
  if (domain) ctx.json(200, { data: domainObject(ctx.origin, domain, ctx.world.profile('domain', domain)) });
}

export function getIp(ctx: VtContext): void {
  const ip = validIp(ctx, ctx.params[0] ?? '');
  if (ip) ctx.json(200, { data: ipObject(ctx.origin, ip, ctx.world.profile('ip', ip)) });
}

function page(ctx: VtContext, collection: 'domains' | 'ip_addresses', id: string): void {
  const [pathId = '', relationship = ''] = ctx.params;
  const result = relationshipPage({
    origin: ctx.origin,
    collection,
    parentKind: collection === 'domains' ? 'domain' : 'ip',
    parentId: id,
    pathId,
    relationship,
    query: ctx.url.searchParams,
    build: (kind, itemId, url) => objectView(ctx, kind, itemId, url),
  });
  if (result.ok) ctx.json(200, result.body);
  else ctx.error(result.status, result.code, result.message);
}

export function domainRelationship(ctx: VtContext): void {
  const domain = validDomain(ctx, ctx.params[0] ?? '');
  if (domain) page(ctx, 'domains', domain);
}

export function ipRelationship(ctx: VtContext): void {
  const ip = validIp(ctx, ctx.params[0] ?? '');
  if (ip) page(ctx, 'ip_addresses', ip);
}
