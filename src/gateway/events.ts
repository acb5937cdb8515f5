import { EventEmitter } from 'node:events';
import type { Change } from '../store/index.js';

export interface AnalysisCompletedEvent {
  analysisId: string;
  kind: 'file' | 'url';
  id: string;
  stats: unknown;
  at: number;
}

export interface BatchCompletedEvent {
  batchId: string;
  status: string;
  total: number;
  done: number;
  failed: number;
  owner: string | null;
  at: number;
}

/** An upstream call failed and is retried after `delayMs` (the CLI says so while the user waits). */
export interface UpstreamRetryEvent {
  provider: string;
  attempt: number;
  delayMs: number;
  error: string;
}

/** The upstream refused a key (401): it is out of rotation; `retried` when another key of the pool took the call. */
export interface UpstreamKeyRefusedEvent {
  provider: string;
  /** the key's label, never the key */
  key: string;
  error: string;
  retried: boolean;
}

/** Events the engine emits; webhooks, the dashboard and metrics subscribe. */
export interface GatewayEvents {
  'verdict.changed': [Change];
  'analysis.completed': [AnalysisCompletedEvent];
  'batch.completed': [BatchCompletedEvent];
  /** One webhook delivery attempt and how it went (for metrics). */
  'webhook.attempt': ['delivered' | 'failed' | 'dead'];
  'upstream.retry': [UpstreamRetryEvent];
  'upstream.key_refused': [UpstreamKeyRefusedEvent];
}

export class GatewayEventBus extends EventEmitter<GatewayEvents> {}
