/**
 * Client tokens with their per-token daily budgets, and webhook subscriptions: engine rules that
 * every face (HTTP, CLI, library) uses through `Gateway.tokens` and `Gateway.webhooks`.
 * Budgets count upstream calls per token per UTC day; a batch's calls are charged to its owner.
 */
import type { Clock } from '../clock/index.js';
import {
  type CreatedToken,
  type Delivery,
  type NewToken,
  type NewWebhook,
  type TokenChanges,
  type TokenRecord,
  type TokenRepository,
  type TokenUploadPolicy,
  utcDayKey,
  type Webhook,
  type WebhookRepository,
} from '../store/index.js';

const DAY_MS = 86_400_000;

/** Seconds until the next 00:00 UTC, when daily budgets reset (at least 1). */
export function secondsToUtcMidnight(now: number): number {
  return Math.max(1, Math.ceil((DAY_MS - (now % DAY_MS)) / 1000));
}

/** Who is asking, as far as budgets care. `tokenId: null` is the open (tokenless) mode: never charged. */
export interface BudgetHolder {
  tokenId: string | null;
  dailyBudget: number | null;
}

export class TokenService {
  readonly #repo: TokenRepository;
  readonly #clock: Clock;

  constructor(repo: TokenRepository, clock: Clock) {
    this.#repo = repo;
    this.#clock = clock;
  }

  async create(input: NewToken): Promise<CreatedToken> {
    return this.#repo.create(input);
  }

  /** The live token record for a secret, if any. */
  async verify(token: string): Promise<TokenRecord | undefined> {
    return this.#repo.verify(token);
  }

  async list(): Promise<TokenRecord[]> {
    return this.#repo.list();
  }

  /** Changes a live token's daily budget or upload policy; undefined when no live token has that id or name. */
  update(idOrName: string, changes: TokenChanges): Promise<TokenRecord | undefined> {
    return this.#repo.update(idOrName, changes);
  }

  /** The upload policy an admin set for a live token (null: the server's default). */
  uploadPolicy(tokenId: string): Promise<TokenUploadPolicy | null> {
    return this.#repo.uploadPolicy(tokenId);
  }

  async revoke(idOrName: string): Promise<boolean> {
    return this.#repo.revoke(idOrName);
  }

  async count(): Promise<number> {
    return this.#repo.count();
  }

  /** Upstream calls charged to a token on a UTC day (default: today). */
  async spentToday(tokenId: string, dayKey: string = utcDayKey(this.#clock.now())): Promise<number> {
    return this.#repo.spentToday(tokenId, dayKey);
  }

  /** Charges `n` upstream calls to the holder's budget for today (nothing in open mode). */
  async spend(holder: BudgetHolder | string, n = 1): Promise<void> {
    const tokenId = typeof holder === 'string' ? holder : holder.tokenId;
    if (tokenId === null || n <= 0) return;
    await this.#repo.spend(tokenId, utcDayKey(this.#clock.now()), n);
  }

  /** Upstream calls the holder may still make today, or null without a budget. */
  async remaining(holder: BudgetHolder): Promise<number | null> {
    if (holder.dailyBudget === null || holder.tokenId === null) return null;
    return Math.max(0, holder.dailyBudget - (await this.spentToday(holder.tokenId)));
  }

  /** The per-upstream-call charge for a lookup on the holder's behalf (none in open mode). */
  chargeOf(holder: BudgetHolder): (() => Promise<void>) | undefined {
    return holder.tokenId === null ? undefined : () => this.spend(holder);
  }

  /** A batch budget a holder may ask for: never more than what is left of its daily budget. */
  async batchBudget(holder: BudgetHolder, asked: number | null | undefined): Promise<number | null> {
    const left = await this.remaining(holder);
    return left === null ? (asked ?? null) : Math.min(asked ?? left, left);
  }

  /** Seconds until budgets reset. */
  secondsToReset(): number {
    return secondsToUtcMidnight(this.#clock.now());
  }
}

export class WebhookService {
  readonly #repo: WebhookRepository;

  constructor(repo: WebhookRepository) {
    this.#repo = repo;
  }

  async create(hook: NewWebhook): Promise<Webhook> {
    return this.#repo.create(hook);
  }

  async get(id: string): Promise<Webhook | undefined> {
    return this.#repo.get(id);
  }

  /** Every webhook, or one owner's. */
  async list(owner?: string | null): Promise<Webhook[]> {
    return owner === undefined ? this.#repo.list() : this.#repo.list(owner);
  }

  async delete(id: string): Promise<boolean> {
    return this.#repo.delete(id);
  }

  async deliveries(webhookId: string, limit: number): Promise<Delivery[]> {
    return this.#repo.deliveries(webhookId, limit);
  }

  /** Retries a dead letter: the delivery goes back in the queue with its attempts kept. False when it is not dead. */
  async retryDead(webhookId: string, deliveryId: string): Promise<boolean> {
    return this.#repo.revive(webhookId, deliveryId);
  }
}
