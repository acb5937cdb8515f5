import type { VtHandler } from './context.js';
import { getAnalysis, getAnalysisItem } from './analyses.js';
import { fileRelationship, getFile, postFile, rescanFile, uploadUrl } from './files.js';
import { getMetadata } from './metadata.js';
import { domainRelationship, getDomain, getIp, ipRelationship } from './network.js';
import { getUrl, postUrl, rescanUrl, urlRelationship } from './urls.js';
import { apiUsage, getUser, overallQuotas } from './users.js';

export interface VtRoute {
  method: 'GET' | 'POST';
  /** Path segments under /api/v3; `*` matches one segment (a parameter). */
  segments: string[];
  /** Template used in stats, e.g. `GET /files/{id}`. */
  endpoint: string;
  /** Group name in `api_usage`, e.g. `/api/v3/(files)`. */
  group: string;
  /** Uses no quota (the /users endpoints, as documented in the README of this folder). */
  free?: boolean;
  handler: VtHandler;
}

function route(method: 'GET' | 'POST', template: string, group: string, handler: VtHandler, free = false): VtRoute {
  const segments = template
    .split('/')
    .filter(Boolean)
    .map((s) => (s.startsWith('{') ? '*' : s));
  return { method, segments, endpoint: `${method} ${template}`, group: `/api/v3/(${group})`, free, handler };
}

/** Order matters: literal segments (upload_url, analyse, item, ...) come before parameters. */
export const VT_ROUTES: VtRoute[] = [
  route('GET', '/files/upload_url', 'file_upload_url', uploadUrl),
  route('POST', '/files', 'file_scan', postFile),
  route('GET', '/files/{id}', 'files', getFile),
  route('POST', '/files/{id}/analyse', 'file_analyse', rescanFile),
  route('GET', '/files/{id}/{relationship}', 'file_relationships', fileRelationship),
  route('POST', '/urls', 'url_scan', postUrl),
  route('GET', '/urls/{id}', 'urls', getUrl),
  route('POST', '/urls/{id}/analyse', 'url_analyse', rescanUrl),
  route('GET', '/urls/{id}/{relationship}', 'url_relationships', urlRelationship),
  route('GET', '/analyses/{id}', 'analyses', getAnalysis),
  route('GET', '/analyses/{id}/item', 'analyses', getAnalysisItem),
  route('GET', '/domains/{domain}', 'domains', getDomain),
  route('GET', '/domains/{domain}/{relationship}', 'domain_relationships', domainRelationship),
  route('GET', '/ip_addresses/{ip}', 'ip_addresses', getIp),
  route('GET', '/ip_addresses/{ip}/{relationship}', 'ip_address_relationships', ipRelationship),
  route('GET', '/users/{id}/overall_quotas', 'users', overallQuotas, true),
  route('GET', '/users/{id}/api_usage', 'users', apiUsage, true),
  route('GET', '/users/{id}', 'users', getUser, true),
  route('GET', '/metadata', 'metadata', getMetadata),
];

export type RouteMatch =
  | { kind: 'found'; route: VtRoute; params: string[] }
  | { kind: 'method-not-allowed'; allowed: string[]; endpoint: string }
  | { kind: 'not-found' }
  | { kind: 'bad-path' };

/** Finds the route for a path under /api/v3 (e.g. `/files/abc`). */
export function matchRoute(method: string, path: string): RouteMatch {
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { kind: 'bad-path' };
  }
  const candidates: Array<{ route: VtRoute; params: string[] }> = [];
  for (const r of VT_ROUTES) {
    if (r.segments.length !== parts.length) continue;
    const params: string[] = [];
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const seg = r.segments[i] as string;
      if (seg === '*') params.push(parts[i] as string);
      else ok = seg === parts[i];
    }
    if (ok) candidates.push({ route: r, params });
  }
  if (candidates.length === 0) return { kind: 'not-found' };
  // A literal segment beats a parameter: GET /files/{id}/analyse is a wrong method, not a relationship.
  const literals = (r: VtRoute) => r.segments.filter((s) => s !== '*').length;
  const best = Math.max(...candidates.map((c) => literals(c.route)));
  const hit = candidates.find((c) => c.route.method === method && literals(c.route) === best);
  if (hit) return { kind: 'found', ...hit };
  const top = candidates.filter((c) => literals(c.route) === best);
  const first = top[0] as { route: VtRoute };
  return {
    kind: 'method-not-allowed',
    allowed: [...new Set(top.map((c) => c.route.method))],
    endpoint: `${method} ${first.route.endpoint.slice(first.route.endpoint.indexOf(' ') + 1)}`,
  };
}
