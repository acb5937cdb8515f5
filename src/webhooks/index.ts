/** Outbound webhooks: signed, retried, SSRF-guarded deliveries of gateway events. */
export { DEFAULT_SCHEDULE, nextAttemptAt, retryDelayMs, type RetrySchedule } from './backoff.js';
export { postWebhook, type AttemptResult } from './deliver.js';
export {
  type AttemptOutcome,
  batchWebhookId,
  type DispatcherSources,
  WEBHOOK_EVENTS,
  WebhookDispatcher,
  type WebhookDispatcherOptions,
  type WebhookEvent,
} from './dispatcher.js';
export { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signPayload, verifySignature } from './signature.js';
export { type CheckedTarget, checkWebhookTarget, type ResolveFn, systemResolve, type TargetPolicy, WebhookTargetError } from './target.js';
