/**
 * vt-cli's `-i/--include` and `-x/--exclude`: glob patterns over attribute paths, `.` between
 * levels, `*` one level, `**` any number (`-i last_analysis_stats -x 'last_analysis_results.**'`).
 * A matched object is kept whole (minus excluded parts); arrays are leaves.
 */
import picomatch from 'picomatch';

// picomatch separates levels with `/`; a `/` inside a key (rare in VT attributes) must not split it
const SLASH = '\u2215';

function compile(patterns: readonly string[]): (path: string) => boolean {
  if (patterns.length === 0) return () => false;
  const matchers = patterns.map((p) => picomatch(p.trim().split('/').join(SLASH).split('.').join('/'), { dot: true }));
  return (path) => matchers.some((m) => m(path));
}

export interface FieldFilter {
  include: readonly string[];
  exclude: readonly string[];
}

/** Whether the filter changes anything (no -i, or only `**`, and no -x: the object is kept as is). */
export function filters(f: FieldFilter): boolean {
  return f.exclude.length > 0 || f.include.some((p) => p.trim() !== '**');
}

/** The parts of `attributes` the patterns select (a new object; the input is not changed). */
export function filterAttributes(attributes: Record<string, unknown>, f: FieldFilter): Record<string, unknown> {
  if (!filters(f)) return attributes;
  const included = f.include.length === 0 ? () => true : compile(f.include);
  const excluded = compile(f.exclude);
  const walk = (value: Record<string, unknown>, prefix: string, kept: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const path = prefix ? `${prefix}/${key.split('/').join(SLASH)}` : key.split('/').join(SLASH);
      if (excluded(path)) continue;
      const keep = kept || included(path);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const inner = walk(v as Record<string, unknown>, path, keep);
        if (keep || Object.keys(inner).length > 0) out[key] = inner;
      } else if (keep) {
        out[key] = v;
      }
    }
    return out;
  };
  return walk(attributes, '', false);
}
