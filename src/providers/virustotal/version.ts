import { VERSION } from '../../common/version.js';

/** The package version (one home: src/common/version.ts). */
export const PACKAGE_VERSION: string = VERSION;

/** Like vt-py and vt-go, "gzip" in the User-Agent: VT's front end only compresses when it sees it. */
export const DEFAULT_USER_AGENT = `vt-gateway/${PACKAGE_VERSION}; gzip`;
