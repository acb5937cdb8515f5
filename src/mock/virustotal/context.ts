import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../clock/index.js';
import type { QuotaLedger } from '../quota.js';
import type { UsageLog } from '../usage.js';
import type { VtWorld } from './world.js';

/** What a VirusTotal endpoint handler gets. */
export interface VtContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Decoded path parameters, in order. */
  params: string[];
  origin: string;
  /** Clock time when the request arrived. */
  nowMs: number;
  clock: Clock;
  /** The caller's API key (for quota lookups only; never echo it). */
  key: string;
  world: VtWorld;
  quota: QuotaLedger;
  usage: UsageLog;
  maxUploadBytes: number;
  maxDirectUploadBytes: number;
  json(status: number, body: unknown): void;
  error(status: number, code: string, message: string): void;
}

export type VtHandler = (ctx: VtContext) => void | Promise<void>;
