/**
 * URLhaus as a Provider. A URLhaus record is a malware distribution record, so any hit is 'malicious';
 * "no_results" is a not-found Report; an unrecognised status is kept as 'unknown' with the body.
 */
import { type Clock, systemClock } from '../../clock/index.js';
import type { Indicator, IndicatorKind } from '../../indicators/index.js';
import { PROVIDER_KINDS, type Provider, type Report, type RequestOptions, type Verdict } from '../types.js';
import { type UrlhausAnswer, UrlhausClient, type UrlhausClientOptions } from './client.js';
import type { UrlhausHostInfo, UrlhausPayloadInfo, UrlhausQueryStatus, UrlhausUrlInfo } from './parse.js';

export const URLHAUS_SHA1_NOTE = 'URLhaus payload lookups take MD5 or SHA-256 only; SHA-1 was not looked up';

export class UrlhausProvider implements Provider {
  readonly name = 'urlhaus' as const;
  readonly #client: UrlhausClient;
  readonly #clock: Clock;

  constructor(client: UrlhausClient | UrlhausClientOptions = {}, options: { clock?: Clock } = {}) {
    this.#client = client instanceof UrlhausClient ? client : new UrlhausClient(client);
    this.#clock = options.clock ?? systemClock;
  }

  /** Files (md5/sha256), URLs, and hosts: domains and IP addresses both go to the host endpoint. */
  supports(kind: IndicatorKind): boolean {
    return PROVIDER_KINDS.urlhaus.includes(kind);
  }

  async lookup(indicator: Indicator, options?: RequestOptions): Promise<Report> {
    switch (indicator.kind) {
      case 'file': {
        if (indicator.hashType === 'sha1' || !/^([0-9a-f]{32}|[0-9a-f]{64})$/i.test(indicator.value)) {
          return this.#report(indicator, { found: false, verdict: 'unknown', data: { note: URLHAUS_SHA1_NOTE } });
        }
        return this.#fromPayload(indicator, await this.#client.lookupPayload(indicator.value, options));
      }
      case 'url':
        return this.#fromUrl(indicator, await this.#client.lookupUrl(indicator.value, options));
      case 'domain':
      case 'ip':
        return this.#fromHost(indicator, await this.#client.lookupHost(indicator.value, options));
      default:
        throw new TypeError(`URLhaus does not look up ${String((indicator as Indicator).kind)} indicators`);
    }
  }

  #fromUrl(indicator: Indicator, answer: UrlhausAnswer<UrlhausUrlInfo>): Report {
    const { info } = answer;
    const signature = info.payloads.find((p) => p.signature)?.signature ?? null;
    return this.#fromStatus(indicator, answer.queryStatus, answer.body, {
      verdict: 'malicious',
      detections: info.payloads.length,
      threatLabel: signature ?? labelFrom(info.tags, info.threat),
      firstSeenAt: info.dateAddedAt,
      lastAnalysisAt: info.lastOnlineAt,
      details: {
        provider: 'urlhaus',
        status: info.urlStatus,
        payloads: info.payloads.map((x) => ({ sha256: x.sha256, md5: x.md5, fileType: x.fileType, signature: x.signature })),
      },
    });
  }

  #fromHost(indicator: Indicator, answer: UrlhausAnswer<UrlhausHostInfo>): Report {
    const { info } = answer;
    const tags = [...new Set(info.urls.flatMap((u) => u.tags))];
    const count = Math.max(info.urlCount, info.urls.length);
    return this.#fromStatus(indicator, answer.queryStatus, answer.body, {
      verdict: count > 0 ? 'malicious' : 'undetected',
      detections: count,
      threatLabel: labelFrom(tags, info.urls[0]?.threat ?? null),
      firstSeenAt: info.firstSeenAt,
      lastAnalysisAt: null,
      details: { provider: 'urlhaus', status: null, payloads: [] },
    });
  }

  #fromPayload(indicator: Indicator, answer: UrlhausAnswer<UrlhausPayloadInfo>): Report {
    const { info } = answer;
    return this.#fromStatus(indicator, answer.queryStatus, answer.body, {
      verdict: 'malicious',
      detections: Math.max(info.urlCount, info.urls.length),
      threatLabel: info.signature,
      firstSeenAt: info.firstSeenAt,
      lastAnalysisAt: info.lastSeenAt,
      details: {
        provider: 'urlhaus',
        status: null,
        payloads: [{ sha256: info.sha256, md5: info.md5, fileType: info.fileType, signature: info.signature }],
      },
    });
  }

  #fromStatus(
    indicator: Indicator,
    status: UrlhausQueryStatus,
    body: unknown,
    hit: Pick<Report, 'verdict' | 'detections' | 'threatLabel' | 'firstSeenAt' | 'lastAnalysisAt' | 'details'>,
  ): Report {
    if (status === 'ok') return this.#report(indicator, { found: true, data: body, ...hit });
    if (status === 'no_results') return this.#report(indicator, { found: false, verdict: 'not_found', data: body });
    return this.#report(indicator, { found: false, verdict: 'unknown', data: body });
  }

  #report(indicator: Indicator, fields: { found: boolean; verdict: Verdict; data: unknown } & Partial<Report>): Report {
    return {
      provider: 'urlhaus',
      kind: indicator.kind,
      id: indicator.id,
      indicator: indicator.value,
      fetchedAt: this.#clock.now(),
      ...fields,
    };
  }
}

function labelFrom(tags: string[], threat: string | null): string | null {
  if (tags.length > 0) return tags.join(',');
  return threat;
}
