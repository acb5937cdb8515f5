/**
 * URLhaus answers, read leniently: numbers arrive as strings, `larted` as "true"/"false",
 * `payloads`/`virustotal`/`last_online` may be null, `takedown_time_seconds` may be "" or null,
 * and the status field is sometimes misspelt `query_staus` or holds a placeholder.
 */
import {
  asObject,
  type JsonObject,
  lenientBoolean,
  lenientDate,
  lenientNumber,
  lenientString,
  lenientStrings,
} from '../http-errors.js';

/** Statuses documented by abuse.ch; anything else is kept as received. */
export type UrlhausQueryStatus =
  | 'ok'
  | 'no_results'
  | 'invalid_url'
  | 'invalid_host'
  | 'invalid_md5'
  | 'invalid_sha256'
  | 'unknown_auth_key'
  | 'http_post_expected'
  | (string & {});

export interface UrlhausVirusTotal {
  result: string | null;
  percent: number | null;
  link: string | null;
}

export interface UrlhausPayloadRef {
  firstSeenAt: number | null;
  filename: string | null;
  fileType: string | null;
  responseSize: number | null;
  md5: string | null;
  sha256: string | null;
  signature: string | null;
  virustotal: UrlhausVirusTotal | null;
}

export interface UrlhausUrlInfo {
  queryStatus: UrlhausQueryStatus;
  id: string | null;
  url: string | null;
  urlStatus: string | null;
  host: string | null;
  dateAddedAt: number | null;
  lastOnlineAt: number | null;
  threat: string | null;
  reporter: string | null;
  larted: boolean | null;
  takedownTimeSeconds: number | null;
  tags: string[];
  blacklists: Record<string, string>;
  reference: string | null;
  payloads: UrlhausPayloadRef[];
}

export interface UrlhausHostUrl {
  id: string | null;
  url: string | null;
  urlStatus: string | null;
  dateAddedAt: number | null;
  threat: string | null;
  reporter: string | null;
  larted: boolean | null;
  takedownTimeSeconds: number | null;
  tags: string[];
  reference: string | null;
}

export interface UrlhausHostInfo {
  queryStatus: UrlhausQueryStatus;
  host: string | null;
  firstSeenAt: number | null;
  urlCount: number;
  blacklists: Record<string, string>;
  reference: string | null;
  urls: UrlhausHostUrl[];
}

export interface UrlhausPayloadUrl {
  urlId: string | null;
  url: string | null;
  urlStatus: string | null;
  filename: string | null;
  firstSeenAt: number | null;
  lastSeenAt: number | null;
  reference: string | null;
}

export interface UrlhausPayloadInfo {
  queryStatus: UrlhausQueryStatus;
  md5: string | null;
  sha256: string | null;
  fileType: string | null;
  fileSize: number | null;
  signature: string | null;
  firstSeenAt: number | null;
  lastSeenAt: number | null;
  urlCount: number;
  virustotal: UrlhausVirusTotal | null;
  imphash: string | null;
  ssdeep: string | null;
  tlsh: string | null;
  urls: UrlhausPayloadUrl[];
}

/** `query_status`, or the misspelt `query_staus`, or 'missing'. */
export function queryStatusOf(body: unknown): UrlhausQueryStatus {
  const o = asObject(body);
  const status = lenientString(o?.query_status) ?? lenientString(o?.query_staus);
  return status ?? 'missing';
}

function objects(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.map(asObject).filter((o): o is JsonObject => o !== undefined) : [];
}

function blacklists(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asObject(value) ?? {})) {
    const s = lenientString(v);
    if (s !== null) out[k] = s;
  }
  return out;
}

function virustotal(value: unknown): UrlhausVirusTotal | null {
  const o = asObject(value);
  if (!o) return null;
  return { result: lenientString(o.result), percent: lenientNumber(o.percent), link: lenientString(o.link) };
}

function lowerHash(value: unknown): string | null {
  const s = lenientString(value);
  return s ? s.toLowerCase() : null;
}

export function parseUrlInfo(body: unknown): UrlhausUrlInfo {
  const o = asObject(body) ?? {};
  return {
    queryStatus: queryStatusOf(o),
    id: lenientString(o.id),
    url: lenientString(o.url),
    urlStatus: lenientString(o.url_status),
    host: lenientString(o.host),
    dateAddedAt: lenientDate(o.date_added),
    lastOnlineAt: lenientDate(o.last_online),
    threat: lenientString(o.threat),
    reporter: lenientString(o.reporter),
    larted: lenientBoolean(o.larted),
    takedownTimeSeconds: lenientNumber(o.takedown_time_seconds),
    tags: lenientStrings(o.tags),
    blacklists: blacklists(o.blacklists),
    reference: lenientString(o.urlhaus_reference),
    payloads: objects(o.payloads).map((p) => ({
      firstSeenAt: lenientDate(p.firstseen),
      filename: lenientString(p.filename),
      fileType: lenientString(p.file_type),
      responseSize: lenientNumber(p.response_size),
      md5: lowerHash(p.response_md5),
      sha256: lowerHash(p.response_sha256),
      signature: lenientString(p.signature),
      virustotal: virustotal(p.virustotal),
    })),
  };
}

export function parseHostInfo(body: unknown): UrlhausHostInfo {
  const o = asObject(body) ?? {};
  const urls = objects(o.urls).map((u) => ({
    id: lenientString(u.id),
    url: lenientString(u.url),
    urlStatus: lenientString(u.url_status),
    dateAddedAt: lenientDate(u.date_added),
    threat: lenientString(u.threat),
    reporter: lenientString(u.reporter),
    larted: lenientBoolean(u.larted),
    takedownTimeSeconds: lenientNumber(u.takedown_time_seconds),
    tags: lenientStrings(u.tags),
    reference: lenientString(u.urlhaus_reference),
  }));
  return {
    queryStatus: queryStatusOf(o),
    host: lenientString(o.host),
    firstSeenAt: lenientDate(o.firstseen),
    urlCount: lenientNumber(o.url_count) ?? urls.length,
    blacklists: blacklists(o.blacklists),
    reference: lenientString(o.urlhaus_reference),
    urls,
  };
}

export function parsePayloadInfo(body: unknown): UrlhausPayloadInfo {
  const o = asObject(body) ?? {};
  const urls = objects(o.urls).map((u) => ({
    urlId: lenientString(u.url_id),
    url: lenientString(u.url),
    urlStatus: lenientString(u.url_status),
    filename: lenientString(u.filename),
    firstSeenAt: lenientDate(u.firstseen),
    lastSeenAt: lenientDate(u.lastseen),
    reference: lenientString(u.urlhaus_reference),
  }));
  return {
    queryStatus: queryStatusOf(o),
    md5: lowerHash(o.md5_hash),
    sha256: lowerHash(o.sha256_hash),
    fileType: lenientString(o.file_type),
    fileSize: lenientNumber(o.file_size),
    signature: lenientString(o.signature),
    firstSeenAt: lenientDate(o.firstseen),
    lastSeenAt: lenientDate(o.lastseen),
    urlCount: lenientNumber(o.url_count) ?? urls.length,
    virustotal: virustotal(o.virustotal),
    imphash: lenientString(o.imphash),
    ssdeep: lenientString(o.ssdeep),
    tlsh: lenientString(o.tlsh),
    urls,
  };
}
