/** A VirusTotal relationship answer (`{data, meta, links}` or `{error}`) as the CLI's page view. */
import { CliFailure } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { RelationshipPageView } from './types.js';

export function pageView(status: number, body: unknown, source: RelationshipPageView['source'], fetchedAt: number): RelationshipPageView {
  const doc = (body ?? {}) as { data?: unknown; meta?: { count?: unknown; cursor?: unknown }; error?: { code?: unknown; message?: unknown } };
  if (status !== 200 || !Array.isArray(doc.data)) {
    const code = typeof doc.error?.code === 'string' ? doc.error.code : `HTTP${status}`;
    const message = typeof doc.error?.message === 'string' && doc.error.message ? doc.error.message : `VirusTotal answered HTTP ${status}`;
    // an unknown object or relationship name is the user's input; anything else is upstream trouble
    throw new CliFailure(message, code, status === 400 || status === 404 ? EXIT.usage : EXIT.failure);
  }
  return {
    items: doc.data,
    count: typeof doc.meta?.count === 'number' ? doc.meta.count : null,
    cursor: typeof doc.meta?.cursor === 'string' && doc.meta.cursor ? doc.meta.cursor : null,
    source,
    fetchedAt,
  };
}
