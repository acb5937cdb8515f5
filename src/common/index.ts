/** Small shared pieces with one home each: version and User-Agent, error records, the bounded worker pool. */
export { VERSION, userAgent } from './version.js';
export { errorInfo, type ErrorInfo } from './errors.js';
export { runPool } from './pool.js';
export { ensureDir } from './ensure-dir.js';
