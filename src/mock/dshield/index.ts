/** DShield/ISC simulator: mount `createDshieldRoute()` in startMock's `routes`. */
export { createDshieldRoute, type DshieldRouteOptions } from './route.js';
export { KNOWN_DSHIELD_ATTACKERS, simulatedDshield } from './simulate.js';
