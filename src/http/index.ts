/** The HTTP service: REST API, the VirusTotal-compatible /api/v3 surface, tokens, batches, webhooks, metrics. */
export { buildApp, createApp, routeTable, type BuiltApp } from './app.js';
export { startServer, isLoopbackHost, ServerStartError, DEFAULT_HOST, DEFAULT_PORT } from './server.js';
export { buildOpenApi } from './openapi.js';
export { createLogger, scrubSecrets } from './logging.js';
export { HttpError } from './errors.js';
export { DEFAULT_LIMITS, type AppOptions, type HttpLimits, type Principal, type RunningServer, type ServerOptions } from './types.js';
export { verifySignature } from '../webhooks/index.js';
