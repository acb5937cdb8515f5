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

/** File-system refusals: the user's paths or permissions, not an upstream failure. */
const FS_INPUT_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'ENOENT', 'SQLITE_CANTOPEN', 'SQLITE_READONLY']);

function fsError(err: unknown): (Error & { code: string; path?: string; syscall?: string }) | undefined {
  const e = err as { code?: unknown } | null;
  return err instanceof Error && typeof e?.code === 'string' && FS_INPUT_CODES.has(e.code) ? (err as Error & { code: string }) : undefined;
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CliFailure) return err.exitCode;
  if (fsError(err)) return EXIT.usage;
  // matched by name so this module does not load the engine (the CLI starts faster)
  if (err instanceof UsageError || (err instanceof Error && (err.name === 'IndicatorError' || err.name === 'ConfigError'))) return EXIT.usage;
  // the HTTP server refused its flags (an open server off loopback, a busy port)
  if (err instanceof Error && err.name === 'ServerStartError') return EXIT.usage;
  const code = (err as { code?: unknown } | null)?.code;
  return exitCodeForCode(typeof code === 'string' ? code : undefined);
}

/** One line for stderr; never a stack (it could carry request details). */
export function messageOf(err: unknown): string {
  const fs = fsError(err);
  if (fs) {
    const what = fs.path ? ` ${fs.path}` : '';
    if (fs.code === 'EACCES' || fs.code === 'EPERM' || fs.code === 'EROFS' || fs.code.startsWith('SQLITE_')) {
      const verb = fs.syscall === 'mkdir' ? 'create the directory' : fs.syscall === 'open' || fs.syscall === 'scandir' ? 'open' : 'write';
      return `permission denied: cannot ${verb}${what || ' the data dir'}; fix its permissions, or use a directory you can write with --data-dir <dir> (or VTG_DATA_DIR)`;
    }
    if (fs.code === 'ENOENT' && fs.syscall !== 'mkdir') return `no such file or directory:${what || ` ${fs.message}`}`;
    const problem = fs.code === 'ENOTDIR' ? 'a parent is not a directory' : fs.code === 'EISDIR' ? 'is a directory' : 'no such directory';
    const fix = fs.syscall === 'mkdir' ? '; use a directory you can write with --data-dir <dir> (or VTG_DATA_DIR)' : '';
    return `cannot use${what}: ${problem}${fix}`;
  }
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
