/**
 * The VirusTotal key pool: `VT_API_KEYS` (`key1,key2` or `team-a=key1,team-b=key2`) or the config
 * file's `virustotal.keys`, else the one `VT_API_KEY` (a pool of one). Limits per key: the file's
 * per-key `limits`, else VTG_VT_LIMITS / the file's `virustotal.limits`, else the defaults.
 */
import { ConfigError } from './errors.js';
import type { FileConfig, LimitsConfig } from './schema.js';

export type KeyPolicy = 'primary-first' | 'spread';
export const KEY_POLICIES: readonly KeyPolicy[] = ['primary-first', 'spread'];

export interface PoolKeyConfig {
  /** What quotas, metrics and logs show; absent: a label derived from a hash of the key. */
  label?: string;
  apiKey: string;
  limits: LimitsConfig;
  /** True when the limits were set (env or file): they then act as caps on reported allowances. */
  limitsExplicit: boolean;
}

const LABEL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/** Parses `key1,key2` or `label=key,label=key` (labels: letters, digits, `_ . -`, at most 32). */
export function parseKeyList(text: string): Array<{ label?: string; apiKey: string }> {
  const out: Array<{ label?: string; apiKey: string }> = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    // keys never hold '=' in practice; a label is short and plain
    const label = eq > 0 ? part.slice(0, eq).trim() : undefined;
    const apiKey = (eq > 0 ? part.slice(eq + 1) : part).trim();
    if (label !== undefined && !LABEL.test(label)) throw new ConfigError(`VT_API_KEYS: bad label "${label}" (letters, digits, _ . -, at most 32)`);
    if (apiKey === '') throw new ConfigError(`VT_API_KEYS: ${label ? `label "${label}" has` : 'an entry has'} no key`);
    out.push(label !== undefined ? { label, apiKey } : { apiKey });
  }
  return out;
}

export function keyPool(
  env: NodeJS.ProcessEnv,
  file: FileConfig,
  single: string | undefined,
  limits: LimitsConfig,
  limitsExplicit: boolean,
): PoolKeyConfig[] {
  const listed = env.VT_API_KEYS?.trim()
    ? parseKeyList(env.VT_API_KEYS)
    : (file.virustotal?.keys?.map((k) => (typeof k === 'string' ? { apiKey: k.trim() } : k)) ?? []);
  const keys: PoolKeyConfig[] = listed.map((k) => ({
    ...(k.label !== undefined ? { label: k.label } : {}),
    apiKey: k.apiKey,
    limits: 'limits' in k && k.limits ? k.limits : limits,
    limitsExplicit: ('limits' in k && k.limits !== undefined) || limitsExplicit,
  }));
  if (keys.length === 0 && single !== undefined) keys.push({ apiKey: single, limits, limitsExplicit });
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.apiKey)) throw new ConfigError('VT_API_KEYS: the same key is listed twice');
    seen.add(k.apiKey);
    if (k.label !== undefined && seen.has(`label:${k.label}`)) throw new ConfigError(`VT_API_KEYS: label "${k.label}" is used twice`);
    if (k.label !== undefined) seen.add(`label:${k.label}`);
  }
  return keys;
}

export function keyPolicy(value: string | undefined): KeyPolicy {
  const v = (value ?? 'primary-first').trim().toLowerCase();
  if ((KEY_POLICIES as readonly string[]).includes(v)) return v as KeyPolicy;
  throw new ConfigError(`VTG_KEY_POLICY must be ${KEY_POLICIES.join(' or ')}, got "${value}"`);
}
