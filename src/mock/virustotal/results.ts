import type { MockKind } from '../types.js';
import { FILE_ENGINES, URL_ENGINES } from './engines.js';
import { EICAR_SHA256, seedDigest, u32 } from './ids.js';

/** Order in which engines are handed categories: the rare ones first, undetected last. */
const FILE_ORDER = ['malicious', 'suspicious', 'type-unsupported', 'timeout', 'confirmed-timeout', 'failure', 'harmless', 'undetected'];
const OTHER_ORDER = ['malicious', 'suspicious', 'timeout', 'harmless', 'undetected'];

/** A deterministic shuffle of 0..n-1 seeded by the indicator. */
function permutation(n: number, seed: Buffer): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let state = u32(seed, 0) || 1;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

const EICAR_NAMES = ['EICAR-Test-File (not a virus)', 'EICAR_Test_File', 'Eicar-Test-Signature', 'EICAR.Test.File', 'Win.Test.EICAR_HDB-1'];

/** An engine's detection name for a threat label like "trojan.mirai/gafgyt". */
function detectionName(label: string | null, id: string, engineIndex: number): string {
  if (id === EICAR_SHA256 || label === 'virus.eicar/test') return EICAR_NAMES[engineIndex % EICAR_NAMES.length] as string;
  const [category = 'trojan', rest = 'generic/agent'] = (label ?? 'trojan.generic/agent').split('.');
  const [family = 'generic', alias = 'agent'] = rest.split('/');
  const variant = String.fromCharCode(65 + (engineIndex % 26));
  switch (engineIndex % 5) {
    case 0:
      return `${cap(category)}.${cap(family)}.${id.slice(0, 4).toUpperCase()}`;
    case 1:
      return `${cap(category)}:Linux/${cap(family)}.${variant}`;
    case 2:
      return `${cap(family)}.${cap(alias)}!c`;
    case 3:
      return `Gen:Variant.${cap(family)}.${(engineIndex * 37) % 900}`;
    default:
      return `${cap(category)}/${cap(family)}-${variant}${variant}`;
  }
}

const URL_MALICIOUS = ['malicious', 'malware', 'phishing'];

function engineUpdate(dateSec: number): string {
  return new Date(dateSec * 1000).toISOString().slice(0, 10).replace(/-/g, '');
}

/**
 * `last_analysis_results` (and completed analysis `results`) matching the stats: engines get
 * categories in a shuffled order seeded by the indicator; file entries carry engine_version and
 * engine_update, URL/domain/IP entries only category, engine_name, method and result.
 */
export function analysisResults(
  kind: MockKind,
  id: string,
  stats: Record<string, number>,
  threatLabel: string | null,
  dateSec: number,
): Record<string, Record<string, unknown>> {
  const file = kind === 'file';
  const engines = file ? FILE_ENGINES : URL_ENGINES;
  const order = permutation(engines.length, seedDigest(kind, id, 'engines'));
  const categories: string[] = [];
  for (const category of file ? FILE_ORDER : OTHER_ORDER) {
    for (let n = 0; n < (stats[category] ?? 0); n++) categories.push(category);
  }
  const assigned = new Map<number, string>();
  categories.slice(0, engines.length).forEach((category, i) => {
    assigned.set(order[i] as number, category);
  });
  const results: Record<string, Record<string, unknown>> = {};
  const update = engineUpdate(dateSec);
  engines.forEach((engine, index) => {
    const category = assigned.get(index);
    if (!category) return;
    if (file) {
      const fe = FILE_ENGINES[index];
      results[engine.key] = {
        category,
        engine_name: engine.name,
        engine_version: fe?.version ?? null,
        result:
          category === 'malicious' ? detectionName(threatLabel, id, index) : category === 'suspicious' ? 'Suspicious.Generic' : null,
        method: 'blacklist',
        engine_update: update,
      };
    } else {
      const result =
        category === 'malicious'
          ? (URL_MALICIOUS[index % URL_MALICIOUS.length] as string)
          : category === 'suspicious'
            ? 'suspicious'
            : category === 'harmless'
              ? 'clean'
              : category === 'timeout'
                ? 'timeout'
                : 'unrated';
      results[engine.key] = { category, result, method: 'blacklist', engine_name: engine.name };
    }
  });
  return results;
}
