/** The one home of the package version and the User-Agent every upstream call sends. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package version, read once from package.json (two levels above both src/common and dist/common). */
export const VERSION: string = (() => {
  try {
    // a path, not a URL: the first pathToFileURL() of a process costs a start-up ~3-5 ms
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

/** `vt-gateway/<version>`, plus `(contact: <email>)` when a contact is given (ISC asks for one). */
export function userAgent(contact?: string): string {
  const base = `vt-gateway/${VERSION}`;
  const clean = contact?.replace(/[\r\n()]/g, '').trim();
  return clean ? `${base} (contact: ${clean})` : base;
}
