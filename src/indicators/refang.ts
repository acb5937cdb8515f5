/**
 * Defanging makes indicators unclickable in reports and e-mails (hxxp://evil[.]com). `refang`
 * undoes the common forms; `defang` produces the usual one.
 */

// built on first use: creating a regex literal parses it (a Unicode one costs ~3 M instructions at start-up)
let refangRules: ReadonlyArray<readonly [RegExp, string]> | undefined;
const REFANG_RULES = (): ReadonlyArray<readonly [RegExp, string]> => (refangRules ??= [
  // separators wrapped in brackets: [://] [:] [.] [dot] [@] [at] [/], also with () or {}
  [/[[({]\s*:\/\/\s*[\])}]/g, '://'],
  [/[[({]\s*:\s*[\])}]/g, ':'],
  [/\s?[[({]\s*(?:\.|dot)\s*[\])}]\s?/gi, '.'],
  [/\s?[[({]\s*(?:@|at)\s*[\])}]\s?/gi, '@'],
  [/[[({]\s*\/\s*[\])}]/g, '/'],
  // evil\.com
  [/(?<=[\p{L}\p{N}])\\\.(?=[\p{L}\p{N}])/gu, '.'],
  // schemes: hxxp hXXp h**p h__p hxxps, fxp (ftp)
  [/\bh(?:xx|\*\*|__)ps:\/\//gi, 'https://'],
  [/\bh(?:xx|\*\*|__)p:\/\//gi, 'http://'],
  [/\bfxps:\/\//gi, 'ftps://'],
  [/\bfxp:\/\//gi, 'ftp://'],
]);

/** What every rule needs somewhere in the text: a bracket, a backslash, or a defanged scheme's start. */
const MAYBE_DEFANGED = /[[({\\]|[hH](?:[xX]{2}|\*\*|__)[pP]|[fF][xX][pP]/; // no /i: compiling one case folds with ICU

/** Undoes common defanging: hxxp/hxxps/fxp, [.] (.) {.} [dot], [:], [://], [@], [at], [/], `\.`. */
export function refang(text: string): string {
  // nothing defanged (a plain hash, domain or IP): the rules' regexes are not even compiled
  if (!MAYBE_DEFANGED.test(text)) return text;
  let out = text;
  for (const [pattern, replacement] of REFANG_RULES()) out = out.replace(pattern, replacement);
  return out;
}

const DEFANGED_SCHEMES: Record<string, string> = { http: 'hxxp', https: 'hxxps', ftp: 'fxp' };

/** http -> hxxp, https -> hxxps, ftp -> fxp, and every `.` of the host -> `[.]`. Hashes stay as they are. */
export function defang(value: string): string {
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is.exec(value);
  if (withScheme) {
    const [, scheme, authority, rest] = withScheme as unknown as [string, string, string, string];
    const defangedScheme = DEFANGED_SCHEMES[scheme.toLowerCase()] ?? scheme;
    return `${defangedScheme}://${authority.replaceAll('.', '[.]')}${rest}`;
  }
  if (/^[0-9a-f]+$/i.test(value)) return value;
  const cut = value.search(/[/?#]/);
  const host = cut === -1 ? value : value.slice(0, cut);
  const rest = cut === -1 ? '' : value.slice(cut);
  return host.replaceAll('.', '[.]') + rest;
}
