/** SPUR simulator: mount `createSpurRoute()` in startMock's `routes`. */
export { createSpurRoute, type SpurRouteOptions } from './route.js';
export { KNOWN_SPUR_OBJECTS, simulatedSpur, spurRejection } from './simulate.js';
