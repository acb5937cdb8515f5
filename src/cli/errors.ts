/** Errors the CLI raises itself, and how any error maps to a message and an exit code. */
import { EXIT } from './exit-codes.js';

/** Bad usage or input detected by the CLI: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly code = 'UsageError';
}

/** A failure with a chosen exit code (e.g. a remote server's answer). */
export class CliFailure extends Error {
  override name = 'CliFailure';
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Error codes (from the Gateway or a server's `{error:{code}}`) that mean bad input, not a failed call. */
const INPUT_CODES = new Set([
  'IndicatorError',
  'InvalidIndicator',
  'InvalidInput',
  'BadRequest',
  'BadInput',
  'ValidationError',
  'UsageError',
  'ConfigError',
  'NotFound',
  'BatchNotFound',
  'PayloadTooLarge',
  'ProviderUnavailable',
  'ProviderUnavailableError',
  'InvalidFile',
  'WebhookTargetError',
]);

export function exitCodeForCode(code: string | undefined): number {
  return code !== undefined && INPUT_CODES.has(code) ? EXIT.usage : EXIT.failure;
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CliFailure) return err.exitCode;
  // matched by name so this module does not load the engine (the CLI starts faster)
  if (err instanceof UsageError || (err instanceof Error && (err.name === 'IndicatorError' || err.name === 'ConfigError'))) return EXIT.usage;
  // the HTTP server refused its flags (an open server off loopback, a busy port)
  if (err instanceof Error && err.name === 'ServerStartError') return EXIT.usage;
  const code = (err as { code?: unknown } | null)?.code;
  return exitCodeForCode(typeof code === 'string' ? code : undefined);
}

/** One line for stderr; never a stack (it could carry request details). */
export function messageOf(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'AbortError') return 'interrupted';
    return err.message || err.name;
  }
  return String(err);
}

/** The stable code of an error, for machine output. */
export function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.name : 'Error';
}
