/** The Gateway in this process, on the local data dir (opened and closed by the CLI context). */
import type { BatchItem, Gateway } from '../../gateway/index.js';
import type { NewToken } from '../../gateway/index.js';
import { UsageError } from '../errors.js';
import type { Backend } from './types.js';

/** Token repository errors for bad names and roles are RangeErrors: input errors for the CLI. */
async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
}

export function embeddedBackend(gw: Gateway): Backend {
  return {
    kind: 'embedded',
    mock: gw.mock,
    where: gw.config.dataDir,
    lookup: (input, o) => gw.lookup(input, o),
    onRetry: (listener) => {
      gw.events.on('upstream.retry', listener);
      return () => gw.events.off('upstream.retry', listener);
    },
    estimate: (inputs, o) => gw.estimate(inputs, o),
    quota: (provider) => gw.quota(provider),
    providers: () => gw.providers(),
    history: (input, o) => gw.history(input, o),
    changes: async (o) => await gw.changes(o),
    cacheInfo: async () => await gw.cacheInfo(),
    cacheList: async (q) => await gw.cacheList(q),
    cacheClear: (f) => gw.cacheClear(f),
    cachePrune: () => gw.cachePrune(),
    scanFile: (path, o) => gw.scanFile(path, o),
    scanUrl: (url, o) => gw.scanUrl(url, o),
    rescan: (input, o) => gw.rescan(input, o),
    analysis: (id, o) => gw.analysis(id, o),
    analysisItem: (id) => gw.analysisItem(id),
    scanArchive: (path, { yaraDir, ...o }) => (yaraDir ? gw.content.withRules(yaraDir) : gw.content).scanArchive(path, o),
    scanFetch: (url, { yaraDir, ...o }) => (yaraDir ? gw.content.withRules(yaraDir) : gw.content).scanFetch(url, o),
    yaraRules: async (yaraDir) => (yaraDir ? gw.content.withRules(yaraDir) : gw.content).yara()?.status() ?? { dir: null, files: 0, rules: [], loadedAt: null, error: null },
    createBatch: async (inputs, o) => await gw.createBatch(inputs, o),
    batch: async (id) => await gw.batch(id),
    listBatches: async (limit) => await gw.listBatches(limit === undefined ? {} : { limit }),
    batchResults: async (id, o = {}) => {
      const out: BatchItem[] = [];
      for await (const item of gw.batchResults(id, o.afterSeq === undefined ? {} : { afterSeq: o.afterSeq })) {
        out.push(item);
        if (o.limit !== undefined && out.length >= o.limit) break;
      }
      return out;
    },
    runBatch: (id, o) => gw.runBatch(id, o),
    cancelBatch: async (id) => await gw.cancelBatch(id),
    enrich: (input, o) => gw.enrich(input, o),
    health: () => gw.health(),
    createToken: async (t: NewToken) => asUsage(() => gw.tokens.create(t)),
    listTokens: async () => await gw.tokens.list(),
    updateToken: (idOrName, changes) =>
      gw.tokens.update(idOrName, changes).catch((err: unknown) => {
        throw err instanceof RangeError ? new UsageError(err.message) : err;
      }),
    revokeToken: async (idOrName) => await gw.tokens.revoke(idOrName),
    watchlistAdd: async (name, inputs, o) => asUsage(() => gw.watchlists.add(name, inputs, o)),
    watchlists: async () => await gw.watchlists.list(),
    watchlist: async (name) => await gw.watchlists.show(name),
    watchlistRemove: async (name) => await gw.watchlists.remove(name),
    refresh: (o) => gw.refresh(o),
    cacheWarm: (inputs) => gw.cacheWarm(inputs),
    forecast: async () => {
      const { forecast, ...harvest } = await gw.harvestBudget();
      return { ...(forecast ?? (await gw.forecast())), harvest };
    },
    // the context that opened the gateway closes it
    close: async () => {},
  };
}
