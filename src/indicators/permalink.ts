/**
 * The object's page on VirusTotal's web UI: `https://www.virustotal.com/gui/file/<sha256>`,
 * `/gui/url/<id>`, `/gui/domain/<domain>`, `/gui/ip-address/<ip>`. The one definition: every face
 * (HTTP answers, batch rows, CLI JSON and detail views, exports) builds its `permalink` here.
 */
const GUI = 'https://www.virustotal.com/gui';

/** A file is named by its SHA-256 when known (`sha256`), whichever hash was asked; else by `id`. */
export function permalinkOf(kind: 'file' | 'url' | 'domain' | 'ip', id: string, sha256?: unknown): string;
export function permalinkOf(kind: string, id: string, sha256?: unknown): string | null;
export function permalinkOf(kind: string, id: string, sha256?: unknown): string | null {
  switch (kind) {
    case 'file':
      return `${GUI}/file/${typeof sha256 === 'string' && /^[0-9a-f]{64}$/i.test(sha256) ? sha256.toLowerCase() : id}`;
    case 'url':
      return `${GUI}/url/${id}`;
    case 'domain':
      return `${GUI}/domain/${id}`;
    case 'ip':
      return `${GUI}/ip-address/${id}`;
    default:
      return null;
  }
}

/** What `answerPermalink` reads of a lookup answer (a `LookupResult`, or one parsed back from JSON). */
export interface PermalinkSource {
  provider: string;
  indicator: { kind: string; id: string };
  report?: { data?: unknown; details?: unknown } | null;
}

/**
 * The permalink of a lookup answer: VirusTotal's answers name their object (a file by the SHA-256
 * VirusTotal gave, even when it was asked by MD5); other providers' answers have none (null).
 */
export function answerPermalink(answer: PermalinkSource): string | null {
  if (answer.provider !== 'virustotal') return null;
  const report = answer.report;
  const fromData = (report?.data as { attributes?: { sha256?: unknown } } | null | undefined)?.attributes?.sha256;
  const fromDetails = (report?.details as { hashes?: { sha256?: unknown } } | null | undefined)?.hashes?.sha256;
  return permalinkOf(answer.indicator.kind, answer.indicator.id, fromData ?? fromDetails);
}
