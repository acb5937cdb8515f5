import { readCowrieLogs, buildSessions, IndicatorCollector, createReadStats, buildCowrieReport, toSummaryText, toCsv } from './src/cowrie/index.js';
import { startMock } from './src/mock/index.js';
import { createUrlhausRoute } from './src/mock/urlhaus/index.js';
import { createDshieldRoute } from './src/mock/dshield/index.js';
import { createSpurRoute } from './src/mock/spur/index.js';
import { UrlhausProvider } from './src/providers/urlhaus/index.js';
import { DshieldProvider } from './src/providers/dshield/index.js';
import { SpurProvider } from './src/providers/spur/index.js';
const limits = { perSecond: 1e6 };
const mock = await startMock({ routes: [createUrlhausRoute({limits}), createDshieldRoute({limits}), createSpurRoute({limits})] });
const u = new UrlhausProvider({ apiKey: 'k', baseUrl: mock.url }), d = new DshieldProvider({ baseUrl: mock.url }), s = new SpurProvider({ apiKey: 't', baseUrl: mock.url });
const stats = createReadStats(); const c = new IndicatorCollector(); const sessions = [];
for await (const x of buildSessions(readCowrieLogs(['/work/shared/data/cowrie/'], { stats }))) { sessions.push(x); c.add(x); }
const indicators = c.list(); const results = new Map();
for (const x of indicators) { const r: any = {}; for (const p of x.roles.includes('attacker') ? [d, s] : [u]) if (p.supports(x.kind)) r[p.name] = await p.lookup(x.indicator); results.set(x.id, r); }
const report = buildCowrieReport({ sessions, indicators, results, readStats: stats, extractStats: c.stats });
console.log(toSummaryText(report)); console.log(toCsv(report).split('\n').slice(0,6).join('\n'));
await mock.close();
