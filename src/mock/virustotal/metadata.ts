import type { VtContext } from './context.js';
import { FILE_ENGINES, URL_ENGINES } from './engines.js';
import { VT_RELATIONSHIPS } from '../../providers/virustotal/relationships.js';

const OBJECT_TYPE = { files: 'file', urls: 'url', domains: 'domain', ip_addresses: 'ip_address' } as const;

/** `GET /metadata`: engines and relationship names (vt-cli `init` and `meta` read it). */
export function getMetadata(ctx: VtContext): void {
  const engines: Record<string, Record<string, unknown>> = {};
  for (const e of FILE_ENGINES) engines[e.name] = { category: 'file', version: e.version };
  for (const e of URL_ENGINES) engines[e.name] ??= { category: 'url' };
  const relationships: Record<string, Array<{ name: string; description: string }>> = {};
  for (const [collection, rels] of Object.entries(VT_RELATIONSHIPS)) {
    relationships[OBJECT_TYPE[collection as keyof typeof OBJECT_TYPE]] = Object.entries(rels).map(([name, info]) => ({ name, description: info.description }));
  }
  ctx.json(200, { data: { engines, relationships, privileges: [] } });
}
