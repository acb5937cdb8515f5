/** Indicators named in a path: kind-specific parsing, including VirusTotal's two URL id forms. */
import { type Indicator, IndicatorError, type IndicatorKind, parseIndicator } from '../indicators/index.js';

const SHA256 = /^[0-9a-f]{64}$/i;
const BASE64URL = /^[A-Za-z0-9_-]{4,4096}$/;

/**
 * A URL given by id: a sha256 (VT's canonical id) is looked up by that id; an unpadded base64url id
 * is decoded to its URL; anything else is read as the URL itself.
 */
export function urlIndicator(input: string): Indicator {
  const text = input.trim();
  if (SHA256.test(text)) {
    const id = text.toLowerCase();
    return { kind: 'url', value: id, id };
  }
  if (BASE64URL.test(text) && !text.includes('.')) {
    const decoded = Buffer.from(text, 'base64url').toString('utf8');
    if (Buffer.from(decoded, 'utf8').toString('base64url') === text.replace(/=+$/, '') && /^[\x21-\x7e]+$/.test(decoded)) {
      return parseIndicator(decoded, { kind: 'url' });
    }
    throw new IndicatorError(input, 'not a URL id (sha256 or unpadded base64url of the URL)');
  }
  return parseIndicator(text, { kind: 'url' });
}

const PARSED_MAX = 2048;
const PARSED_INPUT_MAX = 256;
/** Recent successful parses (kind + input -> indicator), oldest first: a hot indicator is parsed once. */
const parsed = new Map<string, Indicator>();

/** The indicator an input names as `kind` (parses are pure; recent ones are remembered, frozen). */
export function indicatorOfKind(input: string, kind: IndicatorKind): Indicator {
  if (input.length > PARSED_INPUT_MAX) return parse(input, kind);
  const key = `${kind} ${input}`;
  let indicator = parsed.get(key);
  if (!indicator) {
    indicator = Object.freeze(parse(input, kind));
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, indicator);
  }
  return indicator;
}

function parse(input: string, kind: IndicatorKind): Indicator {
  return kind === 'url' ? urlIndicator(input) : parseIndicator(input, { kind });
}
