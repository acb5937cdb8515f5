/**
 * DShield as a Provider for IP addresses: any valid answer is found; reports, attacks or a threat-feed
 * listing make it 'suspicious' (DShield sees scanners, not malware), a known but quiet address 'harmless'.
 */
import { type Clock, systemClock } from '../../clock/index.js';
import type { Indicator, IndicatorKind } from '../../indicators/index.js';
import { PROVIDER_KINDS, type DshieldDetails, type Provider, type Report, type RequestOptions } from '../types.js';
import { DshieldClient, type DshieldClientOptions } from './client.js';
import { dshieldIsActive, parseDshieldIp } from './parse.js';

export class DshieldProvider implements Provider {
  readonly name = 'dshield' as const;
  readonly #client: DshieldClient;
  readonly #clock: Clock;

  constructor(client: DshieldClient | DshieldClientOptions = {}, options: { clock?: Clock } = {}) {
    this.#client = client instanceof DshieldClient ? client : new DshieldClient(client);
    this.#clock = options.clock ?? systemClock;
  }

  supports(kind: IndicatorKind): boolean {
    return PROVIDER_KINDS.dshield.includes(kind);
  }

  async lookup(indicator: Indicator, options?: RequestOptions): Promise<Report> {
    if (indicator.kind !== 'ip') throw new TypeError(`DShield looks up IP addresses, not ${indicator.kind} indicators`);
    const { info, body } = await this.#client.lookupIp(indicator.value, options);
    const feeds = Object.keys(info.threatFeeds);
    return {
      provider: 'dshield',
      kind: 'ip',
      id: indicator.id,
      indicator: indicator.value,
      found: true,
      verdict: dshieldIsActive(info) ? 'suspicious' : 'harmless',
      detections: info.attacks ?? 0,
      threatLabel: feeds.length > 0 ? feeds.join(',') : null,
      firstSeenAt: info.minDateAt,
      lastAnalysisAt: info.updatedAt ?? info.maxDateAt,
      data: body,
      details: {
        provider: 'dshield',
        count: info.count,
        attacks: info.attacks,
        network: info.network,
        asn: info.asn,
        asName: info.asName,
        asCountry: info.asCountry,
        threatFeeds: feeds,
      },
      fetchedAt: this.#clock.now(),
    };
  }
}

/** A DShield answer's typed details; answers cached before details existed are parsed once here. */
export function dshieldDetails(report: Report): DshieldDetails {
  if (report.details?.provider === 'dshield') return report.details;
  const info = parseDshieldIp(report.data);
  return {
    provider: 'dshield',
    count: info.count,
    attacks: info.attacks,
    network: info.network,
    asn: info.asn,
    asName: info.asName,
    asCountry: info.asCountry,
    threatFeeds: Object.keys(info.threatFeeds),
  };
}
