/** Links a Cowrie session makes: attacker IP -> URL it fetched -> file hash it got; IP -> uploaded file. */
import { type IndicatorKind, tryParseIndicator } from '../indicators/index.js';
import type { CowrieSession } from '../cowrie/sessions.js';
import type { EdgeRecord, SearchRepository } from '../store/index.js';

type Node = EdgeRecord['src'];

function node(kind: IndicatorKind, value: string | null | undefined): Node | null {
  if (!value) return null;
  const p = tryParseIndicator(value, { kind, allowPrivate: true });
  return p.ok ? { kind, id: p.indicator.id, value: p.indicator.value } : null;
}

export function cowrieEdges(s: CowrieSession): EdgeRecord[] {
  const out: EdgeRecord[] = [];
  const ip = node('ip', s.srcIp);
  const base = { source: 'cowrie', session: s.session, ...(s.sensor ? { sensor: s.sensor } : {}) };
  const at = s.startAt ?? s.endAt ?? 0;
  const add = (src: Node | null, dst: Node | null, relation: string, evidence: Record<string, unknown>, when: number | null) => {
    if (src && dst) out.push({ src, dst, relation, evidence: { ...base, ...evidence }, at: when ?? at });
  };
  for (const d of s.downloads) {
    const url = node('url', d.url);
    const file = d.sha256 && d.sha256 !== 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' ? node('file', d.sha256) : null;
    add(ip, url, 'cowrie_fetched', { event: 'cowrie.session.file_download', ...(d.at ? { at: new Date(d.at).toISOString() } : {}) }, d.at);
    add(url, file, 'cowrie_download', { event: 'cowrie.session.file_download', ...(d.outfile ? { outfile: d.outfile } : {}) }, d.at);
    if (!url) add(ip, file, 'cowrie_download', { event: 'cowrie.session.file_download' }, d.at);
  }
  for (const u of s.uploads) add(ip, node('file', u.sha256), 'cowrie_upload', { event: 'cowrie.session.file_upload', ...(u.filename ? { filename: u.filename } : {}) }, u.at);
  return out;
}

/** Records a session's links and tags its indicators with the source `cowrie:<run>`. */
export async function recordCowrieSession(repo: SearchRepository, s: CowrieSession, run: string): Promise<number> {
  const edges = cowrieEdges(s);
  for (const e of edges) await repo.putEdge(e);
  const items = new Map<string, { kind: IndicatorKind; id: string }>();
  for (const e of edges) for (const n of [e.src, e.dst]) items.set(`${n.kind}:${n.id}`, n);
  const ip = node('ip', s.srcIp);
  if (ip) items.set(`ip:${ip.id}`, ip);
  await repo.putSource(`cowrie:${run}`, [...items.values()], s.startAt ?? 0);
  return edges.length;
}
