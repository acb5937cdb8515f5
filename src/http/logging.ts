/**
 * JSON logs (one line per request) that never carry a secret: pino's redact removes the known
 * paths, and a stream hook replaces every literal upstream secret and anything shaped like a client
 * token, because redact alone misses a secret that ends up inside a message or an error.
 */
import { pino, type Logger } from 'pino';

const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-apikey"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-apikey"]',
  '*.apiKey',
  '*.apikey',
  '*.token',
  '*.secret',
  '*.password',
  'apiKey',
  'token',
  'secret',
  'password',
];

const TOKEN_SHAPE = /vtg_[A-Za-z0-9_-]{16,}/g;

/** Removes every secret literal (and its URL-encoded form) and any client-token-shaped text. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
      if (out.includes(form)) out = out.split(form).join('[redacted]');
    }
  }
  return out.includes('vtg_') ? out.replace(TOKEN_SHAPE, 'vtg_[redacted]') : out;
}

export interface LoggerOptions {
  secrets: readonly string[];
  stream?: NodeJS.WritableStream;
  level?: string;
  /**
   * Skip path redaction. Only for the per-request access line, whose fields are fixed and never
   * hold headers or bodies; the stream scrub still applies.
   */
  noRedact?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = [...options.secrets];
  return pino(
    {
      level: options.level ?? process.env.VTG_LOG_LEVEL ?? 'info',
      base: { service: 'vt-gateway' },
      ...(options.noRedact ? {} : { redact: { paths: REDACT_PATHS, censor: '[redacted]' } }),
      hooks: { streamWrite: (line: string) => scrubSecrets(line, secrets) },
    },
    (options.stream ?? process.stdout) as pino.DestinationStream,
  );
}
