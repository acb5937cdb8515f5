/**
 * SPUR as a Provider for IP addresses: risks, tunnels (VPN/Tor) or proxy services make it 'suspicious',
 * anything else 'harmless'. `data` is the SPUR object as received.
 */
import { type Clock, systemClock } from '../../clock/index.js';
import type { Indicator, IndicatorKind } from '../../indicators/index.js';
import { PROVIDER_KINDS, type Provider, type Report, type RequestOptions, type SpurDetails } from '../types.js';
import { SpurClient, type SpurClientOptions } from './client.js';
import { parseSpurContext, type SpurContext, spurIsAnonymising, spurLabel } from './parse.js';

export class SpurProvider implements Provider {
  readonly name = 'spur' as const;
  readonly #client: SpurClient;
  readonly #clock: Clock;

  constructor(client: SpurClient | SpurClientOptions, options: { clock?: Clock } = {}) {
    this.#client = client instanceof SpurClient ? client : new SpurClient(client);
    this.#clock = options.clock ?? systemClock;
  }

  supports(kind: IndicatorKind): boolean {
    return PROVIDER_KINDS.spur.includes(kind);
  }

  async lookup(indicator: Indicator, options?: RequestOptions): Promise<Report> {
    if (indicator.kind !== 'ip') throw new TypeError(`SPUR looks up IP addresses, not ${indicator.kind} indicators`);
    const { context, body } = await this.#client.context(indicator.value, options);
    return {
      provider: 'spur',
      kind: 'ip',
      id: indicator.id,
      indicator: indicator.value,
      found: true,
      verdict: spurIsAnonymising(context) ? 'suspicious' : 'harmless',
      detections: context.risks.length,
      threatLabel: spurLabel(context),
      data: body,
      details: spurDetailsFrom(context),
      fetchedAt: this.#clock.now(),
    };
  }
}

function spurDetailsFrom(context: SpurContext): SpurDetails {
  return {
    provider: 'spur',
    organization: context.organization,
    asOrganization: context.asOrganization,
    asn: context.asn,
    country: context.country,
    infrastructure: context.infrastructure,
    risks: context.risks,
    proxies: context.proxies,
    tunnels: context.tunnels.map((t) => ({ type: t.type, operator: t.operator, anonymous: t.anonymous })),
  };
}

/** A SPUR answer's typed details; answers cached before details existed (or before a field was added) are parsed once here. */
export function spurDetails(report: Report): SpurDetails {
  const d = report.details;
  if (d?.provider === 'spur' && Array.isArray(d.proxies)) return d;
  return spurDetailsFrom(parseSpurContext(report.data));
}
