export { URLHAUS_DEFAULT_URL, type UrlhausAnswer, UrlhausClient, type UrlhausClientOptions } from './client.js';
export {
  parseHostInfo,
  parsePayloadInfo,
  parseUrlInfo,
  queryStatusOf,
  type UrlhausHostInfo,
  type UrlhausHostUrl,
  type UrlhausPayloadInfo,
  type UrlhausPayloadRef,
  type UrlhausPayloadUrl,
  type UrlhausQueryStatus,
  type UrlhausUrlInfo,
  type UrlhausVirusTotal,
} from './parse.js';
export { URLHAUS_SHA1_NOTE, UrlhausProvider } from './provider.js';
