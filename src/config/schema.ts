import { z } from 'zod';

const limitsSchema = z
  .object({
    minute: z.number().int().positive().optional(),
    hour: z.number().int().positive().optional(),
    day: z.number().int().positive().optional(),
    month: z.number().int().positive().optional(),
    ratePerSec: z.number().positive().optional(),
    burst: z.number().int().positive().optional(),
  })
  .strict();

const secret = z.string().trim().min(1).optional();
const origin = z.url({ protocol: /^https?$/ });

/** The config file's shape (JSON). Every field is optional; env and flags override it. */
export const fileConfigSchema = z
  .object({
    dataDir: z.string().min(1).optional(),
    virustotal: z
      .object({
        apiKey: secret,
        /** A pool of keys the organisation holds: plain keys or {label, apiKey, limits}. */
        keys: z
          .array(
            z.union([
              z.string().trim().min(1),
              z
                .object({
                  label: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/).optional(),
                  apiKey: z.string().trim().min(1),
                  limits: limitsSchema.optional(),
                })
                .strict(),
            ]),
          )
          .optional(),
        keyPolicy: z.enum(['primary-first', 'spread']).optional(),
        url: origin.optional(),
        userId: z.string().min(1).optional(),
        limits: limitsSchema.optional(),
        maliciousThreshold: z.number().int().positive().optional(),
        timeoutMs: z.number().int().positive().optional(),
        proxy: z.string().optional(),
      })
      .strict()
      .optional(),
    urlhaus: z.object({ apiKey: secret, url: origin.optional(), limits: limitsSchema.optional() }).strict().optional(),
    dshield: z
      .object({ email: z.email().optional(), url: origin.optional(), limits: limitsSchema.optional() })
      .strict()
      .optional(),
    spur: z.object({ apiKey: secret, url: origin.optional(), limits: limitsSchema.optional() }).strict().optional(),
    database: z.object({ url: z.string().min(1), queueLimit: z.number().int().nonnegative().optional() }).strict().optional(),
    redis: z.object({ url: z.string().min(1), cacheTtlSeconds: z.number().int().positive().optional() }).strict().optional(),
    mock: z.object({ profile: z.enum(['public', 'premium']).optional() }).strict().optional(),
    scheduler: z
      .object({
        concurrency: z.number().int().positive().optional(),
        interactiveReserve: z.number().min(0).max(0.9).optional(),
        reconcileIntervalSeconds: z.number().int().positive().optional(),
        analysisPollSeconds: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    cache: z
      .object({
        memoryEntries: z.number().int().positive().optional(),
        maxMegabytes: z.number().positive().optional(),
        maxAgeDays: z.number().positive().optional(),
        maxEntriesPerKind: z.number().int().positive().optional(),
        staleIfWaitSeconds: z.number().min(0).optional(),
      })
      .strict()
      .optional(),
    history: z.object({ minDetectionDelta: z.number().int().positive().optional() }).strict().optional(),
    harvest: z
      .union([
        z.literal(false),
        z.object({ enabled: z.boolean().optional(), hours: z.number().positive().max(24).optional(), marginCalls: z.number().int().min(0).optional() }).strict(),
      ])
      .optional(),
    server: z
      .object({
        host: z.string().min(1).optional(),
        port: z.number().int().min(0).max(65535).optional(),
        webhookAllowlist: z.array(z.string()).optional(),
        publicHealth: z.boolean().optional(),
        allowedHosts: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    content: z
      .object({
        yaraDir: z.string().min(1).optional(),
        fetchAllowlist: z.array(z.string()).optional(),
        fetchMaxMegabytes: z.number().positive().optional(),
        fetchTimeoutSeconds: z.number().positive().optional(),
        uploads: z.enum(['never', 'unknown-only', 'always']).optional(),
        tokenUploads: z.record(z.string(), z.enum(['never', 'unknown-only', 'always'])).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type FileConfig = z.infer<typeof fileConfigSchema>;
export type LimitsConfig = z.infer<typeof limitsSchema>;

/** Validates a parsed config file: its data, or a readable list of what is wrong. */
export function validateFileConfig(raw: unknown): { data: FileConfig } | { error: string } {
  const parsed = fileConfigSchema.safeParse(raw);
  return parsed.success ? { data: parsed.data } : { error: z.prettifyError(parsed.error) };
}
