/** Which proxy (if any) a target URL goes through, from the environment. */

function bypassed(host: string, noProxy: string | undefined): boolean {
  if (host === 'localhost' || host === '127.0.0.1' || host === '[::1]') return true;
  if (!noProxy) return false;
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase().replace(/:\d+$/, '');
    if (!entry) continue;
    if (entry === '*') return true;
    const suffix = entry.startsWith('*.') ? entry.slice(1) : entry.startsWith('.') ? entry : `.${entry}`;
    if (host === entry || host === suffix.slice(1) || host.endsWith(suffix)) return true;
  }
  return false;
}

/** `HTTPS_PROXY` / `https_proxy` for https targets not listed in `NO_PROXY` / `no_proxy`. */
export function proxyFromEnv(target: URL, env: Record<string, string | undefined>): string | undefined {
  if (target.protocol !== 'https:') return undefined;
  const proxy = env.HTTPS_PROXY || env.https_proxy;
  if (!proxy) return undefined;
  return bypassed(target.hostname.toLowerCase(), env.NO_PROXY ?? env.no_proxy) ? undefined : proxy;
}

/** The proxy URL and its password: both must be kept out of error texts. */
export function proxySecrets(proxy: string | undefined): string[] {
  if (!proxy) return [];
  const out = [proxy];
  try {
    const url = new URL(proxy);
    if (url.password) out.push(decodeURIComponent(url.password), url.password);
  } catch {
    // not a URL: undici will refuse it; the raw text is still scrubbed
  }
  return out;
}
