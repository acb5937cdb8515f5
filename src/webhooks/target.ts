/**
 * SSRF guard for webhook targets: the shared outbound-address guard (src/net) with webhook wording.
 * The checked address is returned so the delivery connects to exactly that address (no DNS rebinding).
 */
import { type CheckedTarget, checkTarget, type TargetPolicy } from '../net/index.js';

export { type CheckedTarget, type ResolveFn, systemResolve, type TargetPolicy } from '../net/index.js';

/** A webhook URL that may not be called. */
export class WebhookTargetError extends Error {
  override name = 'WebhookTargetError';
  readonly code = 'WebhookTargetRefused';
}

/** Parses and checks a webhook URL; resolves DNS. Throws WebhookTargetError when refused. */
export async function checkWebhookTarget(raw: string, policy: TargetPolicy): Promise<CheckedTarget> {
  return checkTarget(raw, policy, {
    what: 'webhook URL',
    allowlistName: 'server.webhookAllowlist',
    error: (m) => new WebhookTargetError(m.replace(/^webhook URL host /, 'webhook host ').replace('must not carry credentials', 'must not carry credentials; use the signing secret')),
  });
}
