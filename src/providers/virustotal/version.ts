import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (same relative place from src/ and dist/). */
export const PACKAGE_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

/** Like vt-py and vt-go, "gzip" in the User-Agent: VT's front end only compresses when it sees it. */
export const DEFAULT_USER_AGENT = `vt-gateway/${PACKAGE_VERSION}; gzip`;
