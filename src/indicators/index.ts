/** Parsing, classification and canonical ids of indicators (hashes, URLs, domains, IPs). Pure functions. */
export type { HashType, Indicator, IndicatorKind, ParseOptions } from './types.js';
export { IndicatorError } from './types.js';
export { parseIndicator, tryParseIndicator, type TryParseResult } from './parse.js';
export { defang, refang } from './refang.js';
export { vtUrlId } from './url.js';
export { sha256Hex } from './hash.js';
export { answerPermalink, permalinkOf, type PermalinkSource } from './permalink.js';
export { isPrivateAddress } from './ip.js';
export { extractIndicators, type ExtractOptions } from './extract.js';
