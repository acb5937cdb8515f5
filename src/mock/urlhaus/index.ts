/** URLhaus simulator: mount `createUrlhausRoute()` in startMock's `routes`. */
export { createUrlhausRoute, type UrlhausRouteOptions } from './route.js';
export {
  KNOWN_URLHAUS_DROPPERS,
  simulatedHostLookup,
  simulatedPayloadLookup,
  simulatedUrlhaus,
  simulatedUrlLookup,
  type UrlhausQueryKind,
} from './simulate.js';
