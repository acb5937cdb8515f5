import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock/index.js';
import type { SqlDb } from '../db/sql.js';
import type { Delivery, DeliveryStatus, NewWebhook, Webhook } from './types.js';

const HOOK_COLUMNS = 'id, owner, url, events, secret, created_at, active';
const DELIVERY_COLUMNS =
  'id, webhook_id, event, payload, status, attempts, next_attempt_at, last_error, last_status, created_at, delivered_at, claimed_until';

const SQL = {
  insert: `INSERT INTO webhooks (${HOOK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  get: `SELECT ${HOOK_COLUMNS} FROM webhooks WHERE id = ?`,
  listAll: `SELECT ${HOOK_COLUMNS} FROM webhooks ORDER BY created_at, id`,
  listOwner: `SELECT ${HOOK_COLUMNS} FROM webhooks WHERE owner = ? ORDER BY created_at, id`,
  listNoOwner: `SELECT ${HOOK_COLUMNS} FROM webhooks WHERE owner IS NULL ORDER BY created_at, id`,
  active: `SELECT ${HOOK_COLUMNS} FROM webhooks WHERE active = 1 ORDER BY created_at, id`,
  delete: 'DELETE FROM webhooks WHERE id = ?',
  setActive: 'UPDATE webhooks SET active = ? WHERE id = ?',
  enqueue: `INSERT INTO webhook_deliveries (${DELIVERY_COLUMNS})
    VALUES (?, ?, ?, ?, 'pending', 0, ?, NULL, NULL, ?, NULL, NULL)`,
  getDelivery: `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?`,
  due: `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
    WHERE status IN ('pending', 'failed') AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
    ORDER BY next_attempt_at, created_at LIMIT ?`,
  claim: `UPDATE webhook_deliveries SET claimed_until = ?
    WHERE id = ? AND status IN ('pending', 'failed') AND (claimed_until IS NULL OR claimed_until <= ?)`,
  delivered: `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = ?,
    last_error = NULL, delivered_at = ?, claimed_until = NULL WHERE id = ?`,
  failed: `UPDATE webhook_deliveries SET status = 'failed', attempts = attempts + 1, last_status = ?,
    last_error = ?, next_attempt_at = ?, claimed_until = NULL WHERE id = ?`,
  dead: `UPDATE webhook_deliveries SET status = 'dead', attempts = attempts + 1, last_status = ?,
    last_error = ?, claimed_until = NULL WHERE id = ?`,
  revive: `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, claimed_until = NULL
    WHERE id = ? AND webhook_id = ? AND status = 'dead'`,
  deliveries: `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ?
    ORDER BY created_at DESC, id LIMIT ?`,
} as const;

interface HookRow {
  id: string;
  owner: string | null;
  url: string;
  events: string;
  secret: string;
  created_at: number;
  active: number;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  event: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  last_status: number | null;
  created_at: number;
  delivered_at: number | null;
  claimed_until: number | null;
}

function toWebhook(row: HookRow): Webhook {
  return {
    id: row.id,
    owner: row.owner,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    secret: row.secret,
    createdAt: row.created_at,
    active: row.active === 1,
  };
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    event: row.event,
    payload: JSON.parse(row.payload) as unknown,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    lastStatus: row.last_status,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    claimedUntil: row.claimed_until,
  };
}

/**
 * Webhook subscriptions and their delivery outbox. A worker takes due deliveries with `claim` (a lease,
 * so two workers or two processes never send the same one at once), then marks the outcome.
 */
export class WebhookRepository {
  readonly #clock: Clock;
  readonly #db: SqlDb;

  /** @internal Created by `Store.open`. */
  constructor(db: SqlDb, clock: Clock) {
    this.#clock = clock;
    this.#db = db;
  }

  async create(hook: NewWebhook): Promise<Webhook> {
    const id = hook.id ?? randomUUID();
    await this.#db.run(SQL.insert, id, hook.owner ?? null, hook.url, JSON.stringify(hook.events), hook.secret, this.#clock.now(), hook.active === false ? 0 : 1);
    return (await this.get(id)) as Webhook;
  }

  async get(id: string): Promise<Webhook | undefined> {
    const row = (await this.#db.get(SQL.get, id)) as HookRow | undefined;
    return row ? toWebhook(row) : undefined;
  }

  /** All webhooks (`owner` undefined), one owner's, or those with no owner (`null`), oldest first. */
  async list(owner?: string | null): Promise<Webhook[]> {
    const rows =
      owner === undefined
        ? (await this.#db.all(SQL.listAll))
        : owner === null
          ? (await this.#db.all(SQL.listNoOwner))
          : (await this.#db.all(SQL.listOwner, owner));
    return (rows as HookRow[]).map(toWebhook);
  }

  /** Active webhooks subscribed to `event` (or to `*`). */
  async subscribers(event: string): Promise<Webhook[]> {
    return ((await this.#db.all(SQL.active)) as HookRow[])
      .map(toWebhook)
      .filter((h) => h.events.includes(event) || h.events.includes('*'));
  }

  /** Removes a webhook and its deliveries. */
  async delete(id: string): Promise<boolean> {
    return (await this.#db.run(SQL.delete, id)) > 0;
  }

  async setActive(id: string, active: boolean): Promise<boolean> {
    return (await this.#db.run(SQL.setActive, active ? 1 : 0, id)) > 0;
  }

  /** Queues one delivery, due now unless `nextAttemptAt` says otherwise. */
  async enqueueDelivery(delivery: { webhookId: string; event: string; payload: unknown; nextAttemptAt?: number }): Promise<Delivery> {
    const id = randomUUID();
    const now = this.#clock.now();
    await this.#db.run(SQL.enqueue, id, delivery.webhookId, delivery.event, JSON.stringify(delivery.payload ?? null), delivery.nextAttemptAt ?? now, now);
    return (await this.delivery(id)) as Delivery;
  }

  async delivery(id: string): Promise<Delivery | undefined> {
    const row = (await this.#db.get(SQL.getDelivery, id)) as DeliveryRow | undefined;
    return row ? toDelivery(row) : undefined;
  }

  /** Deliveries due at `now` (pending or failed-awaiting-retry, not leased), oldest due first. */
  async dueDeliveries(now: number, limit: number): Promise<Delivery[]> {
    return ((await this.#db.all(SQL.due, now, now, Math.max(1, Math.trunc(limit)))) as DeliveryRow[]).map(toDelivery);
  }

  /** Leases a due delivery until `now + leaseMs`. Returns false when another worker holds it or it is finished. */
  async claim(id: string, now: number, leaseMs: number): Promise<boolean> {
    return (await this.#db.run(SQL.claim, now + leaseMs, id, now)) > 0;
  }

  async markDelivered(id: string, outcome: { status: number; at?: number }): Promise<void> {
    (await this.#db.run(SQL.delivered, outcome.status, outcome.at ?? this.#clock.now(), id));
  }

  /** Counts a failed attempt and schedules the next one. */
  async markFailed(id: string, outcome: { error: string; status?: number | null; nextAttemptAt: number }): Promise<void> {
    (await this.#db.run(SQL.failed, outcome.status ?? null, outcome.error, outcome.nextAttemptAt, id));
  }

  /** Counts a last failed attempt and gives up on the delivery. */
  async markDead(id: string, outcome: { error: string; status?: number | null }): Promise<void> {
    (await this.#db.run(SQL.dead, outcome.status ?? null, outcome.error, id));
  }

  /** Puts a dead delivery of this webhook back in the queue, due at `now`. False when it is not dead. */
  async revive(webhookId: string, id: string, now: number = this.#clock.now()): Promise<boolean> {
    return (await this.#db.run(SQL.revive, now, id, webhookId)) > 0;
  }

  /** A webhook's latest deliveries, newest first. */
  async deliveries(webhookId: string, limit: number): Promise<Delivery[]> {
    return ((await this.#db.all(SQL.deliveries, webhookId, Math.max(1, Math.trunc(limit)))) as DeliveryRow[]).map(toDelivery);
  }
}
