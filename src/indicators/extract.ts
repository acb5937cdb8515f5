import { createRequire } from 'node:module';
import { tldOf } from './domain.js';
import { parseIPv4 } from './ip.js';
import { parseIndicator } from './parse.js';
import { refang } from './refang.js';
import type { Indicator, IndicatorKind } from './types.js';

/** Alphabetic "TLDs" that are really file extensions (report.pdf, setup.sh): never read as domains. */
const FILE_EXTENSIONS = new Set(
  (
    'exe dll pdf txt js zip png jpg jpeg gif bmp svg ico doc docx docm xls xlsx xlsm ppt pptx rtf ' +
    'sh py json html htm php css xml yml yaml ini cfg conf log csv tsv dat tmp bak bin sys bat cmd ' +
    'vbs vbe wsf hta lnk scr msi jar apk dmg deb rpm iso img gz tgz bz2 xz rar tar elf ' +
    'pem crt cer der key eml msg pcap pcapng ts tsx jsx mjs cjs md rb pl lua java class c h cpp'
  ).split(' '),
);

const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?`;
const TLD = String.raw`(?:xn--[a-z0-9-]{1,59}|\p{L}{2,63})`;
const DOMAIN = String.raw`(?:${LABEL}\.)+${TLD}`;
const IPV4 = String.raw`(?:\d{1,3}\.){3}\d{1,3}`;
/** Not in the middle of a name, a path (dir/file.txt) or a URL's user info. */
const NOT_IN_NAME_BEFORE = String.raw`(?<![\p{L}\p{N}_./\\-])`;

// Alternatives in priority order; the leftmost match wins, so text inside a URL is not read twice.
// Built on first use: compiling this Unicode pattern costs tens of milliseconds at start-up.
let candidates: RegExp | undefined;
const CANDIDATES = () =>
  (candidates ??= new RegExp(
    [
      String.raw`(?<url>(?<![\p{L}\p{N}])(?:https?|ftp):\/\/[^\s<>"'\x60]+)`,
      String.raw`(?<bare>(?<!@)${NOT_IN_NAME_BEFORE}(?:${DOMAIN}|${IPV4})(?::\d{1,5})?\/[^\s<>"'\x60]*)`,
      String.raw`(?<ipv6>(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:${IPV4}|[0-9a-f]{1,4})?(?![\w:]|\.\w))`,
      "(?<hash>(?<![0-9a-z])(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})(?![0-9a-z]))",
      String.raw`(?<ipv4>(?<![\w.])${IPV4}(?![\w]|\.\d))`,
      String.raw`(?<domain>${NOT_IN_NAME_BEFORE}${DOMAIN}(?![\p{L}\p{N}_@-]))`,
    ].join('|'),
    'giu',
  ));

const TRAILING_PUNCTUATION = /[.,;:!?'"*]+$/;

/** Strips sentence punctuation and unbalanced closing brackets from the end of a URL. */
function trimUrl(candidate: string): string {
  let url = candidate;
  for (let i = 0; i < 10; i++) {
    const before = url;
    url = url.replace(TRAILING_PUNCTUATION, '');
    for (const [open, close] of [
      ['(', ')'],
      ['[', ']'],
      ['{', '}'],
    ] as const) {
      if (url.endsWith(close) && url.split(close).length > url.split(open).length) url = url.slice(0, -1);
    }
    if (url === before) break;
  }
  return url;
}

/**
 * IANA's list of top-level domains (the `tlds` package), so dotted words such as os.path are not
 * domains. Read on first use: only free-text extraction needs it, not every command that imports this.
 */
let knownTlds: Set<string> | undefined;
function isKnownTld(tld: string): boolean {
  if (!knownTlds) knownTlds = new Set(createRequire(import.meta.url)('tlds') as string[]);
  return knownTlds.has(tld);
}

/** A bare name in free text is a domain only when its TLD exists and is not a common file extension. */
function looksLikeFileName(domain: string): boolean {
  const tld = tldOf(domain);
  return FILE_EXTENSIONS.has(tld) || !(isKnownTld(tld) || tld.startsWith('xn--'));
}

function tryParse(text: string, kind: IndicatorKind, allowPrivate: boolean): Indicator | undefined {
  try {
    return parseIndicator(text, { kind, allowPrivate });
  } catch {
    return undefined;
  }
}

export interface ExtractOptions {
  /** Also return private / reserved IPs and URLs on them (skipped by default, like parseIndicator). */
  allowPrivate?: boolean;
}

/**
 * Every hash, URL, domain and IP in free text (reports, e-mails, logs), refanged first,
 * deduplicated by kind and id, in order of appearance. Hosts inside URLs are not repeated as
 * separate domains or IPs; file names such as report.pdf are not domains.
 */
export function extractIndicators(text: string, options: ExtractOptions = {}): Indicator[] {
  const allowPrivate = options.allowPrivate === true;
  // JSON-escaped slashes (http:\/\/host\/path) are common in logs
  const source = refang(text).replace(/\\\//g, '/');
  const found: Indicator[] = [];
  const seen = new Set<string>();
  const add = (indicator: Indicator | undefined) => {
    if (!indicator) return;
    const key = `${indicator.kind}:${indicator.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push(indicator);
  };

  for (const match of source.matchAll(CANDIDATES())) {
    const g = match.groups as Record<string, string | undefined>;
    if (g.url !== undefined) {
      add(tryParse(trimUrl(g.url), 'url', allowPrivate));
    } else if (g.bare !== undefined) {
      const url = trimUrl(g.bare);
      const slash = url.indexOf('/');
      const host = url.slice(0, slash).replace(/:\d+$/, '');
      if (parseIPv4(host) && /^\/\d{1,2}$/.test(url.slice(slash))) {
        add(tryParse(host, 'ip', allowPrivate)); // a CIDR block, not a URL
      } else if (parseIPv4(host) || !looksLikeFileName(host.toLowerCase())) {
        add(tryParse(url, 'url', allowPrivate));
      }
    } else if (g.ipv6 !== undefined) {
      add(tryParse(g.ipv6, 'ip', allowPrivate));
    } else if (g.hash !== undefined) {
      add(tryParse(g.hash, 'file', allowPrivate));
    } else if (g.ipv4 !== undefined) {
      add(tryParse(g.ipv4, 'ip', allowPrivate));
    } else if (g.domain !== undefined) {
      const domain = tryParse(g.domain, 'domain', allowPrivate);
      if (domain && !looksLikeFileName(domain.value)) add(domain);
    }
  }
  return found;
}
