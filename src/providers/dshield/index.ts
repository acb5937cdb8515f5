export {
  DSHIELD_DEFAULT_BACKOFF_MS,
  DSHIELD_DEFAULT_URL,
  type DshieldAnswer,
  DshieldClient,
  type DshieldClientOptions,
} from './client.js';
export { type DshieldIpInfo, type DshieldThreatFeed, dshieldIsActive, parseDshieldIp } from './parse.js';
export { DshieldProvider, dshieldDetails } from './provider.js';
