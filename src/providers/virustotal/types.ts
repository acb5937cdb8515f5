/**
 * Shapes of VirusTotal v3 answers (vt-api.md sections 2-3). Schemas are permissive: unknown fields
 * pass through, and every attribute is optional, because VT adds fields and omits empty ones.
 */
import { z } from 'zod';

const links = z.looseObject({ self: z.string().optional(), item: z.string().optional(), next: z.string().optional() });

/** `{type, id, links?, attributes?, relationships?, context_attributes?}`: every VT object. */
export const vtObjectSchema = z.looseObject({
  type: z.string().min(1),
  id: z.string().min(1),
  links: links.optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  relationships: z.record(z.string(), z.unknown()).optional(),
  context_attributes: z.record(z.string(), z.unknown()).optional(),
});
export type VtObject = z.infer<typeof vtObjectSchema>;

export const objectEnvelopeSchema = z.looseObject({ data: vtObjectSchema });

export const collectionSchema = z.looseObject({
  data: z.array(vtObjectSchema),
  meta: z.looseObject({ cursor: z.string().optional(), count: z.number().optional() }).optional(),
  links: z.looseObject({ self: z.string().optional(), next: z.string().optional() }).optional(),
});
export type VtCollection = z.infer<typeof collectionSchema>;

/** `last_analysis_stats` / analysis `stats`: category -> engine count. */
export const analysisStatsSchema = z.record(z.string(), z.number());

/** One entry of `last_analysis_results` (its key can differ from `engine_name`). */
export const engineResultSchema = z.looseObject({
  category: z.string(),
  engine_name: z.string().optional(),
  engine_version: z.string().nullable().optional(),
  engine_update: z.string().nullable().optional(),
  method: z.string().optional(),
  result: z.string().nullable().optional(),
});
export type VtEngineResult = z.infer<typeof engineResultSchema>;

const votes = z.looseObject({ harmless: z.number().optional(), malicious: z.number().optional() });

/** Attributes every analysed object (file, url, domain, ip_address) may carry. */
const analysedAttributes = {
  last_analysis_date: z.number().optional(),
  last_analysis_stats: analysisStatsSchema.optional(),
  last_analysis_results: z.record(z.string(), engineResultSchema).optional(),
  last_modification_date: z.number().optional(),
  reputation: z.number().optional(),
  total_votes: votes.optional(),
  tags: z.array(z.string()).optional(),
};

const countValue = z.looseObject({ count: z.number(), value: z.string() });

export const fileAttributesSchema = z.looseObject({
  ...analysedAttributes,
  md5: z.string().optional(),
  sha1: z.string().optional(),
  sha256: z.string().optional(),
  ssdeep: z.string().optional(),
  tlsh: z.string().optional(),
  vhash: z.string().optional(),
  size: z.number().optional(),
  type_description: z.string().optional(),
  type_tag: z.string().optional(),
  type_tags: z.array(z.string()).optional(),
  type_extension: z.string().optional(),
  magic: z.string().optional(),
  names: z.array(z.string()).optional(),
  meaningful_name: z.string().optional(),
  first_submission_date: z.number().optional(),
  last_submission_date: z.number().optional(),
  creation_date: z.number().optional(),
  first_seen_itw_date: z.number().optional(),
  times_submitted: z.number().optional(),
  unique_sources: z.number().optional(),
  popular_threat_classification: z
    .looseObject({
      suggested_threat_label: z.string().optional(),
      popular_threat_category: z.array(countValue).optional(),
      popular_threat_name: z.array(countValue).optional(),
    })
    .optional(),
});
export type VtFileAttributes = z.infer<typeof fileAttributesSchema>;

export const urlAttributesSchema = z.looseObject({
  ...analysedAttributes,
  url: z.string().optional(),
  last_final_url: z.string().optional(),
  title: z.string().optional(),
  categories: z.record(z.string(), z.string()).optional(),
  first_submission_date: z.number().optional(),
  last_submission_date: z.number().optional(),
  last_http_response_code: z.number().optional(),
  last_http_response_content_length: z.number().optional(),
  last_http_response_content_sha256: z.string().optional(),
  threat_names: z.array(z.string()).optional(),
  times_submitted: z.number().optional(),
  tld: z.string().optional(),
});
export type VtUrlAttributes = z.infer<typeof urlAttributesSchema>;

export const domainAttributesSchema = z.looseObject({
  ...analysedAttributes,
  categories: z.record(z.string(), z.string()).optional(),
  creation_date: z.number().optional(),
  last_update_date: z.number().optional(),
  registrar: z.string().optional(),
  tld: z.string().optional(),
  jarm: z.string().optional(),
  whois: z.string().optional(),
  whois_date: z.number().optional(),
  last_dns_records: z.array(z.looseObject({ type: z.string(), value: z.string(), ttl: z.number().optional() })).optional(),
  last_dns_records_date: z.number().optional(),
  popularity_ranks: z.record(z.string(), z.looseObject({ rank: z.number().optional(), timestamp: z.number().optional() })).optional(),
});
export type VtDomainAttributes = z.infer<typeof domainAttributesSchema>;

export const ipAddressAttributesSchema = z.looseObject({
  ...analysedAttributes,
  as_owner: z.string().optional(),
  asn: z.number().optional(),
  continent: z.string().optional(),
  country: z.string().optional(),
  network: z.string().optional(),
  regional_internet_registry: z.string().optional(),
  jarm: z.string().optional(),
  whois: z.string().optional(),
  whois_date: z.number().optional(),
});
export type VtIpAddressAttributes = z.infer<typeof ipAddressAttributesSchema>;

export const analysisAttributesSchema = z.looseObject({
  date: z.number().optional(),
  status: z.string(),
  stats: analysisStatsSchema.optional(),
  results: z.record(z.string(), engineResultSchema).optional(),
});
export type VtAnalysisAttributes = z.infer<typeof analysisAttributesSchema>;
/** `queued` -> `in-progress` -> `completed`. */
export type VtAnalysisStatus = 'queued' | 'in-progress' | 'completed';

/** Attribute schema for each object type the gateway reads. */
export const attributeSchemas = {
  file: fileAttributesSchema,
  url: urlAttributesSchema,
  domain: domainAttributesSchema,
  ip_address: ipAddressAttributesSchema,
  analysis: analysisAttributesSchema,
} as const;

export const analysisResponseSchema = z.looseObject({
  data: vtObjectSchema,
  meta: z
    .looseObject({
      file_info: z
        .looseObject({ sha256: z.string().optional(), sha1: z.string().optional(), md5: z.string().optional(), size: z.number().optional() })
        .optional(),
      url_info: z.looseObject({ id: z.string().optional(), url: z.string().optional() }).optional(),
    })
    .optional(),
});
/** `GET /analyses/{id}`: the analysis object and, beside it, `meta.file_info` or `meta.url_info`. */
export type VtAnalysisResponse = z.infer<typeof analysisResponseSchema>;

/** `data` of the answer to POST /files, the upload URL, POST /urls and the rescans. */
export const analysisDescriptorSchema = z.looseObject({
  type: z.literal('analysis'),
  id: z.string().min(1),
  links: z.looseObject({ self: z.string().optional() }).optional(),
});
export type VtAnalysisDescriptor = z.infer<typeof analysisDescriptorSchema>;

export const uploadUrlSchema = z.looseObject({ data: z.string().regex(/^https?:\/\//i) });

const quotaCounter = z.looseObject({ allowed: z.number(), used: z.number() });
export const quotaWindowSchema = z.looseObject({
  user: quotaCounter,
  group: quotaCounter.extend({ inherited_from: z.string().optional() }).optional(),
});

export interface QuotaCounter {
  allowed: number;
  used: number;
}
export interface QuotaWindow {
  user: QuotaCounter;
  /** Present when the user belongs to a quota group. */
  group?: QuotaCounter & { inheritedFrom?: string };
}
/** `GET /users/{id}/overall_quotas`, windows the answer did not carry are undefined. */
export interface OverallQuotas {
  hourly?: QuotaWindow;
  daily?: QuotaWindow;
  monthly?: QuotaWindow;
  /** The whole `data` object (other quotas: intelligence_*, monitor_* ...). */
  raw: Record<string, unknown>;
}

export const apiUsageSchema = z.looseObject({
  data: z.looseObject({
    daily: z.record(z.string(), z.record(z.string(), z.number())),
    total: z.record(z.string(), z.number()).optional(),
  }),
});
/** `GET /users/{id}/api_usage`: requests per day ("YYYY-MM-DD") per endpoint group. */
export interface ApiUsage {
  daily: Record<string, Record<string, number>>;
  total?: Record<string, number>;
}
