export interface Webhook {
  id: string;
  owner: string | null;
  url: string;
  events: string[];
  /** HMAC signing secret. Never expose it in an API listing. */
  secret: string;
  createdAt: number;
  active: boolean;
}

export interface NewWebhook {
  id?: string;
  owner?: string | null;
  url: string;
  events: string[];
  secret: string;
  active?: boolean;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead';

export interface Delivery {
  id: string;
  webhookId: string;
  event: string;
  payload: unknown;
  /** `pending`: waiting for its first attempt; `failed`: waiting for a retry at `nextAttemptAt`. */
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  /** HTTP status of the last attempt, if it got one. */
  lastStatus: number | null;
  createdAt: number;
  deliveredAt: number | null;
  /** Lease end while a worker holds the delivery (see `claim`), else null. */
  claimedUntil: number | null;
}
