/**
 * Turns gateway events into signed webhook deliveries. Every delivery is written to the store's
 * outbox first (so a restart loses none), then sent with retries and exponential backoff until it
 * succeeds or its 24 hours run out (dead letter). Each attempt is recorded and logged.
 */
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../clock/index.js';
import type { AnalysisCompletedEvent, BatchCompletedEvent, GatewayEventBus } from '../gateway/events.js';
import type { Change, Delivery, TokenRecord, Webhook, WebhookRepository } from '../store/index.js';
import { DEFAULT_SCHEDULE, nextAttemptAt, type RetrySchedule } from './backoff.js';
import { postWebhook } from './deliver.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signPayload } from './signature.js';
import { checkWebhookTarget, type ResolveFn, WebhookTargetError } from './target.js';

export const WEBHOOK_EVENTS = ['analysis.completed', 'batch.completed', 'verdict.changed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Id of the one-off webhook that carries a batch's own `webhook` URL. */
export function batchWebhookId(batchId: string): string {
  return `batch:${batchId}`;
}

export type AttemptOutcome = 'delivered' | 'failed' | 'dead';

export interface DispatcherSources {
  events: GatewayEventBus;
  webhooks: WebhookRepository;
  /** To let admin-owned webhooks see every batch; others see their own batches only. */
  tokens?: { list(): Promise<TokenRecord[]> };
  allowlist: readonly string[];
  version?: string;
}

export interface WebhookDispatcherOptions extends Partial<RetrySchedule> {
  clock?: Clock;
  logger?: Logger;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** How often the outbox is checked for due retries (default 1 s). */
  pollMs?: number;
  /** Attempts in flight at once (default 4). */
  concurrency?: number;
  resolve?: ResolveFn;
  onAttempt?: (outcome: AttemptOutcome, delivery: Delivery) => void;
}

export class WebhookDispatcher {
  readonly #src: DispatcherSources;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  readonly #schedule: RetrySchedule;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #concurrency: number;
  readonly #resolve: ResolveFn | undefined;
  readonly #onAttempt: WebhookDispatcherOptions['onAttempt'];
  readonly #listeners: Array<() => void> = [];
  #loop: Promise<void> | undefined;
  #wake: AbortController | undefined;
  #kicked = false;
  #stopped = true;

  constructor(sources: DispatcherSources, options: WebhookDispatcherOptions = {}) {
    this.#src = sources;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger;
    this.#schedule = {
      baseDelayMs: options.baseDelayMs ?? DEFAULT_SCHEDULE.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_SCHEDULE.maxDelayMs,
      maxAgeMs: options.maxAgeMs ?? DEFAULT_SCHEDULE.maxAgeMs,
    };
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#pollMs = options.pollMs ?? 1000;
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
    this.#resolve = options.resolve;
    this.#onAttempt = options.onAttempt;
  }

  /** Subscribes to the gateway's events and starts delivering (including deliveries left from a previous run). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const on = <E extends WebhookEvent>(event: E, fn: (payload: never) => Promise<unknown>) => {
      const listener = (payload: unknown) => {
        (fn as (p: unknown) => Promise<unknown>)(payload).catch((err: unknown) => {
          this.#log?.error({ err: { message: (err as Error).message }, event }, 'webhook enqueue failed');
        });
      };
      this.#src.events.on(event, listener as never);
      this.#listeners.push(() => this.#src.events.off(event, listener as never));
    };
    on('verdict.changed', (c: Change) => this.enqueue('verdict.changed', c));
    on('analysis.completed', (e: AnalysisCompletedEvent) => this.enqueue('analysis.completed', e));
    on('batch.completed', (e: BatchCompletedEvent) => this.enqueue('batch.completed', e, e.owner, e.batchId));
    this.#loop = this.#run();
  }

  /** Stops listening; waits for attempts in flight (each bounded by the timeout). Pending deliveries stay in the outbox. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const off of this.#listeners.splice(0)) off();
    this.#wake?.abort();
    await this.#loop;
  }

  /** Queues one delivery per matching webhook; returns them. */
  async enqueue(event: WebhookEvent, payload: unknown, owner: string | null = null, batchId?: string): Promise<Delivery[]> {
    const hooks: Webhook[] = [];
    for (const h of await this.#src.webhooks.subscribers(event)) if (await this.#mayReceive(h, event, owner)) hooks.push(h);
    if (batchId !== undefined) {
      const own = await this.#src.webhooks.get(batchWebhookId(batchId));
      if (own && !hooks.some((h) => h.id === own.id)) hooks.push(own);
    }
    const out: Delivery[] = [];
    for (const h of hooks) out.push(await this.#src.webhooks.enqueueDelivery({ webhookId: h.id, event, payload }));
    if (out.length > 0) this.kick();
    return out;
  }

  /** Makes the loop look at the outbox now. */
  kick(): void {
    this.#kicked = true;
    this.#wake?.abort();
  }

  /** One pass over the due deliveries. Returns how many attempts were made. */
  async runDue(): Promise<number> {
    const now = this.#clock.now();
    const due = await this.#src.webhooks.dueDeliveries(now, 64);
    let next = 0;
    let attempts = 0;
    const worker = async () => {
      for (;;) {
        const d = due[next++];
        if (!d) return;
        if (!(await this.#src.webhooks.claim(d.id, this.#clock.now(), this.#timeoutMs * 3))) continue;
        attempts++;
        await this.#attempt(d);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, due.length) }, worker));
    return attempts;
  }

  async #mayReceive(hook: Webhook, event: WebhookEvent, owner: string | null): Promise<boolean> {
    if (event !== 'batch.completed' || hook.owner === null || hook.owner === owner) return true;
    const record = (await this.#src.tokens?.list())?.find((t) => t.id === hook.owner);
    return record?.role === 'admin' && record.revokedAt === null;
  }

  async #attempt(d: Delivery): Promise<void> {
    const hook = await this.#src.webhooks.get(d.webhookId);
    if (!hook) return;
    const attempt = d.attempts + 1;
    const body = JSON.stringify({ id: d.id, event: d.event, createdAt: d.createdAt, data: d.payload });
    let status: number | null = null;
    let error: string | undefined;
    try {
      const target = await checkWebhookTarget(hook.url, { allowlist: this.#src.allowlist, ...(this.#resolve ? { resolve: this.#resolve } : {}) });
      const timestamp = Math.floor(this.#clock.now() / 1000);
      const result = await postWebhook(
        target,
        body,
        {
          'user-agent': `vt-gateway/${this.#src.version ?? '0'} webhooks`,
          [SIGNATURE_HEADER]: signPayload(hook.secret, body, timestamp),
          [EVENT_HEADER]: d.event,
          [DELIVERY_HEADER]: d.id,
          'X-VTG-Attempt': String(attempt),
        },
        this.#timeoutMs,
      );
      status = result.status;
      if (result.ok) {
        await this.#src.webhooks.markDelivered(d.id, { status: result.status ?? 200, at: this.#clock.now() });
        await this.#record('delivered', d, hook, attempt, status);
        return;
      }
      error = result.error ?? 'delivery failed';
    } catch (err) {
      error = err instanceof WebhookTargetError ? `refused: ${err.message}` : 'delivery failed';
    }
    const now = this.#clock.now();
    const at = nextAttemptAt(d.createdAt, now, attempt, this.#schedule);
    if (at === null) {
      await this.#src.webhooks.markDead(d.id, { error, status });
      await this.#record('dead', d, hook, attempt, status, error);
    } else {
      await this.#src.webhooks.markFailed(d.id, { error, status, nextAttemptAt: at });
      await this.#record('failed', d, hook, attempt, status, error, at);
    }
  }

  async #record(outcome: AttemptOutcome, d: Delivery, hook: Webhook, attempt: number, status: number | null, error?: string, retryAt?: number): Promise<void> {
    const fields = { webhook: hook.id, delivery: d.id, event: d.event, attempt, status, outcome, ...(error ? { error } : {}), ...(retryAt ? { retryAt } : {}) };
    if (outcome === 'delivered') this.#log?.info(fields, 'webhook delivered');
    else this.#log?.warn(fields, outcome === 'dead' ? 'webhook delivery dead-lettered' : 'webhook delivery failed; will retry');
    const updated = await this.#src.webhooks.delivery(d.id);
    if (updated) this.#onAttempt?.(outcome, updated);
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      this.#kicked = false;
      try {
        await this.runDue();
      } catch (err) {
        // a closed store during shutdown, or a transient SQLite error: try again on the next tick
        if (this.#stopped) return;
        this.#log?.error({ err: { message: (err as Error).message } }, 'webhook outbox pass failed');
      }
      if (this.#stopped) return;
      if (this.#kicked) continue;
      this.#wake = new AbortController();
      try {
        await this.#clock.sleep(this.#pollMs, this.#wake.signal);
      } catch {
        // woken up by kick() or stop()
      }
    }
  }
}
