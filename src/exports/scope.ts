import type { SearchQuery } from '../store/index.js';

/** The filters of an export in words (PDF title page, MISP event info). */
export function scopeText(q: SearchQuery): string {
  const parts: string[] = [];
  if (q.kind) parts.push(`kind ${q.kind}`);
  if (q.verdict) parts.push(`verdict ${[q.verdict].flat().join('/')}`);
  if (q.minDetections) parts.push(`at least ${q.minDetections} detections`);
  if (q.label) parts.push(`threat label contains "${q.label}"`);
  if (q.provider) parts.push(`provider ${q.provider}`);
  if (q.tag) parts.push(`tag ${q.tag}`);
  if (q.source) parts.push(`source ${q.source}`);
  if (q.q) parts.push(`text "${q.q}"`);
  return parts.length ? parts.join(', ') : 'every indicator the gateway knows';
}
