/** The package version (one home: src/common/version.ts, which loads nothing of the engine). */
export { VERSION as CLI_VERSION } from '../common/version.js';
