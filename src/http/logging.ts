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

/** Every form a secret may take in a JSON line: as is, URL-encoded, JSON-escaped (secrets shorter than 4 are ignored). */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  return [...forms];
}

/**
 * A scrub function for a fixed set of secrets, their forms computed once: a line holding none of them
 * (and no `vtg_`) costs one `includes` per form and is returned as is.
 */
export function createScrubber(secrets: readonly string[]): (text: string) => string {
  const forms = secretForms(secrets);
  return (text) => {
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join('[redacted]');
    return out.includes('vtg_') ? out.replace(TOKEN_SHAPE, 'vtg_[redacted]') : out;
  };
}

/** Removes every secret literal (and its URL-encoded form) and any client-token-shaped text. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  return createScrubber(secrets)(text);
}

export interface LoggerOptions {
  secrets: readonly string[];
  /** Default stdout; anything with a `write(line)` (a stream, or LogBuffer.inOrder()). */
  stream?: { write(text: string): unknown };
  level?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  const scrub = createScrubber(options.secrets);
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'vt-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: scrub },
    },
    (options.stream ?? process.stdout) as pino.DestinationStream,
  );
}
