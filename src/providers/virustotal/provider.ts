import { type Clock, systemClock } from '../../clock/index.js';
import type { Indicator, IndicatorKind } from '../../indicators/index.js';
import { PROVIDER_KINDS, type FileHashes, type Provider, type Report, type RequestOptions } from '../types.js';
import type { VirusTotalClient } from './client.js';
import { NotFoundError } from './errors.js';
import type { VtObject } from './types.js';
import { computeVerdict, extractAnalysisStats, type VerdictThresholds } from './verdict.js';

export interface VirusTotalProviderOptions extends VerdictThresholds {
  /** Source of `fetchedAt`; default systemClock. */
  clock?: Clock;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** VT dates are Unix seconds; reports hold epoch ms. */
function secondsToMs(value: unknown): number | null {
  const n = numberOrNull(value);
  return n === null ? null : n * 1000;
}

/** A found Report from a VT object (`data` of GET /files, /urls, /domains, /ip_addresses). */
export function reportFromVtObject(indicator: Indicator, obj: VtObject, fetchedAt: number, options: VerdictThresholds = {}): Report {
  const attributes = (obj.attributes ?? {}) as Record<string, unknown>;
  const stats = extractAnalysisStats(attributes.last_analysis_stats as Record<string, number> | undefined);
  const classification = attributes.popular_threat_classification as { suggested_threat_label?: unknown } | undefined;
  const label = classification?.suggested_threat_label;
  return {
    provider: 'virustotal',
    kind: indicator.kind,
    // for URLs VT's id is the sha256 of ITS canonical URL; the report keeps ours (the cache key)
    id: indicator.id,
    indicator: indicator.value,
    found: true,
    verdict: computeVerdict(stats, options),
    stats,
    detections: stats.malicious,
    engines: stats.engines,
    threatLabel: typeof label === 'string' && label !== '' ? label : null,
    reputation: numberOrNull(attributes.reputation),
    lastAnalysisAt: secondsToMs(attributes.last_analysis_date),
    firstSeenAt: secondsToMs(attributes.first_submission_date),
    data: obj,
    details: { provider: 'virustotal', ...(indicator.kind === 'file' ? { hashes: fileHashes(attributes) } : {}) },
    fetchedAt,
  };
}

const HASH = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/;

function fileHashes(attributes: Record<string, unknown>): FileHashes {
  const pick = (name: string): string | null => {
    const v = attributes[name];
    return typeof v === 'string' && HASH.test(v.toLowerCase()) ? v.toLowerCase() : null;
  };
  return { md5: pick('md5'), sha1: pick('sha1'), sha256: pick('sha256') };
}

/** The VirusTotal `Provider`: one lookup per call; a 404 is a not_found Report, not an error. */
export class VirusTotalProvider implements Provider {
  readonly name = 'virustotal' as const;
  readonly #client: VirusTotalClient;
  readonly #thresholds: VerdictThresholds;
  readonly #clock: Clock;

  constructor(client: VirusTotalClient, options: VirusTotalProviderOptions = {}) {
    this.#client = client;
    const { clock, ...thresholds } = options;
    this.#thresholds = thresholds;
    this.#clock = clock ?? systemClock;
  }

  supports(kind: IndicatorKind): boolean {
    return PROVIDER_KINDS.virustotal.includes(kind);
  }

  async lookup(indicator: Indicator, options?: RequestOptions): Promise<Report> {
    try {
      const obj = await this.#fetch(indicator, options);
      return reportFromVtObject(indicator, obj, this.#clock.now(), this.#thresholds);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      return {
        provider: 'virustotal',
        kind: indicator.kind,
        id: indicator.id,
        indicator: indicator.value,
        found: false,
        verdict: 'not_found',
        data: null,
        fetchedAt: this.#clock.now(),
      };
    }
  }

  #fetch(indicator: Indicator, options?: RequestOptions): Promise<VtObject> {
    switch (indicator.kind) {
      case 'file':
        return this.#client.getFile(indicator.id, options);
      case 'url':
        // the base64url form lets VT canonicalise the URL itself
        return this.#client.getUrl(indicator.vtUrlId ?? indicator.value, options);
      case 'domain':
        return this.#client.getDomain(indicator.value, options);
      case 'ip':
        return this.#client.getIp(indicator.value, options);
    }
  }
}
