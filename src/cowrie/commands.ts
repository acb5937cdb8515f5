/**
 * Download URLs in attacker command lines: wget, curl, tftp, ftpget (bare or through busybox).
 * tftp forms (`tftp -g -r FILE HOST`, `tftp HOST -c get FILE`) become `tftp://HOST/FILE`;
 * ftpget (`ftpget [-u U -p P -P PORT] HOST LOCAL REMOTE`) becomes `ftp://HOST/REMOTE`.
 * A rough shell split is enough: these are one-liners, and anything unparsable is simply skipped.
 */

const DOWNLOADERS = new Set(['wget', 'curl', 'tftp', 'ftpget']);
/** Words that run the next word as the command. */
const PREFIXES = new Set(['busybox', 'sudo', 'nohup', 'exec', 'command', 'env', 'timeout', 'nice']);
const SCHEME_URL = /^(https?|ftp|tftp):\/\/[^\s'"`<>]+$/i;
/** host[:port]/path without a scheme (wget assumes http). */
const BARE_URL = /^((\d{1,3}\.){3}\d{1,3}|([a-z0-9-]+\.)+[a-z]{2,63})(:\d{1,5})?\/[^\s'"`<>]*$/i;
const HOST = /^((\d{1,3}\.){3}\d{1,3}|([a-z0-9-]+\.)+[a-z]{2,63}|\[[0-9a-f:]+\])$/i;

/** Splits a command line into simple commands (on ; && || | & newlines, and $( ) / backticks). */
function simpleCommands(line: string): string[] {
  return line
    .split(/;|&&|\|\||\||&|\n|\$\(|\)|`/)
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** Whitespace words; quotes only delimit (these are downloader arguments, not shell semantics). */
function words(command: string): string[] {
  return command
    .replace(/['"]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);

function programName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1).toLowerCase();
}

function urlsFromHttpTool(args: string[]): string[] {
  const out: string[] = [];
  // Only words shaped like URLs count, so option values (file names, user agents) need no option table.
  for (const a of args) {
    if (a.startsWith('-')) {
      const value = a.slice(a.indexOf('=') + 1);
      if (a.includes('=') && SCHEME_URL.test(value)) out.push(value);
      continue;
    }
    if (SCHEME_URL.test(a)) out.push(a);
    else if (BARE_URL.test(a)) out.push(`http://${a}`);
  }
  return out;
}

function urlFromTftp(args: string[]): string | undefined {
  let remote: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '-r') remote = args[++i];
    else if (a === '-l' || a === '-b' || a === '-m') i++;
    else if (a === '-c') {
      // tftp HOST -c get FILE [LOCAL]
      const verb = args[i + 1];
      if (verb === 'get' || verb === 'put') {
        if (verb === 'get') remote = args[i + 2];
        i += 2;
      }
    } else if (a.startsWith('-')) continue;
    else if (SCHEME_URL.test(a)) return a;
    else positional.push(a);
  }
  const host = positional[0];
  if (!host || !remote || !HOST.test(host)) return undefined;
  const portArg = positional[1];
  const portPart = portArg && /^\d{1,5}$/.test(portArg) && portArg !== '69' ? `:${portArg}` : '';
  return `tftp://${host}${portPart}/${remote.replace(/^\/+/, '')}`;
}

function urlFromFtpget(args: string[]): string | undefined {
  const positional: string[] = [];
  let portPart = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '-P') {
      const p = args[++i];
      if (p && /^\d{1,5}$/.test(p) && p !== '21') portPart = `:${p}`;
    } else if (a === '-u' || a === '-p') i++;
    else if (a.startsWith('-')) continue;
    else positional.push(a);
  }
  const [host, , remote] = positional;
  if (!host || !remote || !HOST.test(host)) return undefined;
  return `ftp://${host}${portPart}/${remote.replace(/^\/+/, '')}`;
}

/** Download URLs in one command line, in order of appearance (duplicates kept). */
export function urlsInCommand(line: string): string[] {
  const out: string[] = [];
  for (const command of simpleCommands(line)) {
    let w = words(command);
    for (;;) {
      const first = programName(w[0] ?? '');
      if (PREFIXES.has(first)) w = w.slice(1);
      else if (SHELLS.has(first) && w[1] === '-c') w = w.slice(2);
      else break;
    }
    // Leading VAR=value assignments.
    while (w.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0] ?? '')) w = w.slice(1);
    const program = programName(w[0] ?? '');
    if (!DOWNLOADERS.has(program)) continue;
    const args = w.slice(1);
    if (program === 'wget' || program === 'curl') out.push(...urlsFromHttpTool(args));
    else if (program === 'tftp') {
      const u = urlFromTftp(args);
      if (u) out.push(u);
    } else {
      const u = urlFromFtpget(args);
      if (u) out.push(u);
    }
  }
  return out;
}

/** True for the URL schemes worth looking up (a download `url` can also be a local path like /dev/null). */
export function isRemoteUrl(value: string): boolean {
  return /^(https?|ftp|tftp):\/\/[^/\s]/i.test(value);
}

const BASE64_BLOB = /[A-Za-z0-9+/]{40,}={0,2}/g;
const HEX_BLOB = /(?:\\x)?(?:[0-9a-fA-F]{2}(?:\\x)?){20,}/g;

/**
 * A command as the report counts it: whitespace collapsed, and blobs (base64 of 40+ characters, hex
 * of 40+ digits, also `\x..` escaped) shortened to `<base64:N chars>` / `<hex:N chars>`, so one
 * dropper pushed with a thousand payloads counts as one command.
 */
export function normaliseCommand(input: string): string {
  return input
    .replace(/\s+/g, ' ')
    .trim()
    .replace(HEX_BLOB, (m) => `<hex:${m.length} chars>`)
    .replace(BASE64_BLOB, (m) => {
      if (!/\d/.test(m) || m.split('/').length > m.length / 8) return m; // a long word or path, not a blob
      return /^[0-9a-fA-F]+$/.test(m) ? `<hex:${m.length} chars>` : `<base64:${m.length} chars>`;
    });
}
