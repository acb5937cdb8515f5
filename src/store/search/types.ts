import type { IndicatorKind } from '../../indicators/index.js';
import type { AnalysisStats, ProviderName, Verdict } from '../../providers/types.js';

export type SearchSort = 'last_seen' | 'first_seen' | 'detections' | 'indicator';

/** Filters over the search index. Every field is optional; together they are ANDed. */
export interface SearchQuery {
  /** Epoch ms: last seen (cache fetch or history observation) at or after. */
  since?: number;
  /** Epoch ms: last seen at or before. */
  until?: number;
  kind?: IndicatorKind;
  /** One verdict or several (any of them). The combined verdict is the most severe across providers. */
  verdict?: Verdict | Verdict[];
  /** Highest detection count across providers at least this. */
  minDetections?: number;
  /** Substring of the threat label (case-insensitive). */
  label?: string;
  /** Answered by this provider. */
  provider?: ProviderName;
  /** Carries this VirusTotal tag (exact). */
  tag?: string;
  /** Came from this source: `batch:<id>`, `cowrie:<run>`, `watchlist:<name>`, ... */
  source?: string;
  /** Free text: substring of the indicator value or of a known file name. */
  q?: string;
  /** Incremental feeds: only rows (re)indexed after this feed cursor (`SearchPage.feedCursor`). */
  after?: number;
  sort?: SearchSort;
  order?: 'asc' | 'desc';
  /** Page size 1..1000 (default 50). */
  limit?: number;
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor?: string;
}

/** One provider's normalised answer for an indicator (the cached Report without the raw upstream object). */
export interface ProviderRecord {
  provider: ProviderName;
  found: boolean;
  verdict: Verdict;
  detections: number | null;
  engines: number | null;
  threatLabel: string | null;
  reputation: number | null;
  stats: AnalysisStats | null;
  lastAnalysisAt: number | null;
  firstSeenAt: number | null;
  fetchedAt: number;
}

export interface FileHashes {
  md5?: string;
  sha1?: string;
  sha256?: string;
}

/** One indicator as search and exports see it: every provider's answer folded into one record. */
export interface IndicatorRecord {
  kind: IndicatorKind;
  /** Canonical id (files: the sha256 when known). */
  id: string;
  indicator: string;
  /** The most severe verdict across providers. */
  verdict: Verdict;
  detections: number;
  engines: number | null;
  threatLabel: string | null;
  names: string[];
  tags: string[];
  hashes: FileHashes | null;
  /** VirusTotal GUI link (only when VirusTotal answered). */
  permalink: string | null;
  firstSeen: number;
  lastSeen: number;
  /** History observations recorded for it (every upstream answer). */
  observations: number;
  providers: ProviderRecord[];
  /** Feed cursor of this row's last (re)indexing. */
  seq: number;
}

export interface SearchPage {
  items: IndicatorRecord[];
  /** Rows matching the filters (all pages). */
  total: number;
  nextCursor: string | null;
  /** The highest feed cursor in the index: pass as `after` to get only what changed since. */
  feedCursor: number;
}

/** A link between two indicators and why it is known. */
export interface EdgeRecord {
  src: { kind: IndicatorKind; id: string; value: string };
  dst: { kind: IndicatorKind; id: string; value: string };
  /** `contacted_ips`, `url_host`, `resolves_to`, `cowrie_download`, ... */
  relation: string;
  evidence: Record<string, unknown>;
  at: number;
}
