/**
 * The scheduled harvest: in the last hours of each UTC day it spends what the forecast says will be
 * left at midnight, minus the interactive reserve and a safety margin, and never more than the month
 * can afford (its remainder spread over its remaining days). It yields the moment interactive or
 * batch work arrives and stops at once when upstream answers 429.
 */
import type { Clock } from '../clock/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { Governor } from '../governor/index.js';
import { forecastKey, type QuotaForecast, type UsageHistory } from './forecast.js';
import type { HarvestResult, HarvestService } from './harvest.js';
import type { LookupService } from './lookups.js';

const HOUR = 3600_000;
const DAY = 86_400_000;

export interface HarvestBudget {
  budget: number;
  /** Why this budget (or none). */
  reason: string;
  dayLeftAtMidnight?: number;
  reserve?: number;
  margin?: number;
  monthAfford?: number;
  forecast?: QuotaForecast;
}

export interface HarvestScheduleDeps {
  config: GatewayConfig;
  clock: Clock;
  governor: Governor;
  usage: UsageHistory;
  lookups: LookupService;
  harvest: HarvestService;
  /** How often it checks (default 5 minutes). */
  intervalMs?: number;
}

export class HarvestScheduler {
  readonly #d: HarvestScheduleDeps;
  #timer: AbortController | undefined;
  #running: Promise<HarvestResult | undefined> | undefined;
  #current: AbortController | undefined;
  #stopReason: 'rate-limited' | undefined;
  lastResult: HarvestResult | undefined;

  constructor(deps: HarvestScheduleDeps) {
    this.#d = deps;
  }

  /** What a harvest may spend now (0 outside the window, when off, or when the month is tight). */
  async budget(): Promise<HarvestBudget> {
    const { config, clock } = this.#d;
    if (!config.harvest.enabled) return { budget: 0, reason: 'harvest is off' };
    const now = clock.now();
    const midnight = Math.floor(now / DAY) * DAY + DAY;
    if (midnight - now > config.harvest.windowHours * HOUR) return { budget: 0, reason: `outside the last ${config.harvest.windowHours} h of the UTC day` };
    const forecast = await forecastKey(this.#d.governor, this.#d.usage, this.#d.lookups.keyOf('virustotal'), clock);
    const day = forecast.windows.find((w) => w.window === 'day');
    if (!day) return { budget: 0, reason: 'no daily quota to harvest', forecast };
    const reserve = Math.ceil(day.limit * config.scheduler.interactiveReserve);
    const margin = config.harvest.marginCalls;
    let budget = day.leftAtReset - reserve - margin;
    let monthAfford: number | undefined;
    const month = forecast.windows.find((w) => w.window === 'month');
    if (month) {
      const daysLeft = Math.max(1, Math.ceil((month.resetsAt - now) / DAY));
      monthAfford = Math.floor(month.remaining / daysLeft) - margin;
      budget = Math.min(budget, monthAfford);
    }
    budget = Math.max(0, Math.floor(budget));
    const reason =
      budget > 0
        ? `${day.leftAtReset} left at midnight - ${reserve} reserve - ${margin} margin${monthAfford !== undefined ? `, month affords ${monthAfford}` : ''}`
        : monthAfford !== undefined && monthAfford <= 0
          ? 'the month is tight'
          : 'nothing to spare today';
    return { budget, reason, dayLeftAtMidnight: day.leftAtReset, reserve, margin, ...(monthAfford !== undefined ? { monthAfford } : {}), forecast };
  }

  /** One scheduled harvest now (when the budget allows); resolves with what it did. */
  tick(): Promise<HarvestResult | undefined> {
    if (!this.#running) {
      this.#running = this.#tick().finally(() => {
        this.#running = undefined;
      });
    }
    return this.#running;
  }

  async #tick(): Promise<HarvestResult | undefined> {
    const b = await this.budget();
    if (b.budget <= 0) return undefined;
    const counters = this.#d.lookups.counters;
    const foreground = counters.foreground;
    this.#stopReason = undefined;
    const controller = new AbortController();
    this.#current = controller;
    try {
      const result = await this.#d.harvest.run({
        budget: b.budget,
        signal: controller.signal,
        shouldStop: () => (this.#stopReason ? this.#stopReason : counters.foreground !== foreground ? 'yielded' : undefined),
      });
      if (this.#stopReason) result.stopped = this.#stopReason;
      this.lastResult = result;
      return result;
    } finally {
      this.#current = undefined;
    }
  }

  /** Upstream answered 429: the harvest stops at once (its queued call is withdrawn). */
  onRateLimited(): void {
    if (!this.#current) return;
    this.#stopReason = 'rate-limited';
    this.#current.abort();
  }

  /** Checks every `intervalMs` (default 5 minutes) on the clock. */
  start(): void {
    if (this.#timer || !this.#d.config.harvest.enabled) return;
    const timer = new AbortController();
    this.#timer = timer;
    const every = this.#d.intervalMs ?? 5 * 60_000;
    void (async () => {
      while (!timer.signal.aborted) {
        try {
          await this.#d.clock.sleep(every, timer.signal);
        } catch {
          return;
        }
        if (timer.signal.aborted) return;
        await this.tick().catch(() => undefined);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#timer?.abort();
    this.#timer = undefined;
    this.#current?.abort();
    await this.#running?.catch(() => undefined);
  }
}
