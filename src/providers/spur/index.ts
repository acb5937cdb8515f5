export { SPUR_DEFAULT_URL, type SpurAnswer, SpurClient, type SpurClientOptions } from './client.js';
export {
  parseSpurContext,
  type SpurConcentration,
  type SpurContext,
  type SpurTunnel,
  spurIsAnonymising,
  spurLabel,
} from './parse.js';
export { SpurProvider, spurDetails } from './provider.js';
