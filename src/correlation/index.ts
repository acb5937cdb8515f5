/**
 * Correlation from what is already known, at no quota cost: the neighbourhood of an indicator in the
 * graph of cached VirusTotal relationships (contacted IPs and domains, dropped files, URL -> host),
 * Cowrie sessions (attacker IP -> URL -> file hash) and shared threat labels, to a chosen depth.
 */
import { type IndicatorKind, parseIndicator } from '../indicators/index.js';
import type { Verdict } from '../providers/types.js';
import type { SearchRepository } from '../store/index.js';

export interface RelatedOptions {
  /** Hops from the indicator (1..4, default 1). */
  depth?: number;
  /** Most nodes returned (default 200, at most 2000). */
  maxNodes?: number;
  /** Link samples that share the threat label (default true). */
  labels?: boolean;
}

export interface GraphNode {
  key: string;
  kind: IndicatorKind;
  id: string;
  value: string;
  /** Hops from the root. */
  depth: number;
  /** What the index knows (null: only seen as a neighbour, never looked up). */
  verdict: Verdict | null;
  detections: number | null;
  threatLabel: string | null;
}

export interface GraphEdge {
  source: string;
  target: string;
  relation: string;
  evidence: Record<string, unknown>;
  at: number | null;
}

export interface RelatedGraph {
  root: string;
  depth: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** True when maxNodes cut the neighbourhood short. */
  truncated: boolean;
}

const keyOf = (kind: IndicatorKind, id: string) => `${kind}:${id}`;

export async function relatedGraph(repo: SearchRepository, input: string, options: RelatedOptions = {}): Promise<RelatedGraph> {
  await repo.syncAsync();
  const depth = Math.min(Math.max(Math.trunc(options.depth ?? 1) || 1, 1), 4);
  const maxNodes = Math.min(Math.max(Math.trunc(options.maxNodes ?? 200) || 1, 1), 2000);
  const indicator = parseIndicator(input, { allowPrivate: true });
  const rootId = await repo.canonicalId(indicator.kind, indicator.id);
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  let truncated = false;

  const addNode = async (kind: IndicatorKind, id: string, value: string, d: number): Promise<GraphNode | null> => {
    const key = keyOf(kind, id);
    const existing = nodes.get(key);
    if (existing) return existing;
    if (nodes.size >= maxNodes) {
      truncated = true;
      return null;
    }
    const known = await repo.get(kind, id);
    const node: GraphNode = { key, kind, id, value: known?.indicator ?? value, depth: d, verdict: known?.verdict ?? null, detections: known?.detections ?? null, threatLabel: known?.threatLabel ?? null };
    nodes.set(key, node);
    return node;
  };
  const addEdge = (e: GraphEdge) => {
    const k = `${e.source}|${e.relation}|${e.target}`;
    if (!edges.has(k)) edges.set(k, e);
  };

  await addNode(indicator.kind, rootId, indicator.value, 0);
  let frontier = [keyOf(indicator.kind, rootId)];
  for (let d = 1; d <= depth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const key of frontier) {
      const n = nodes.get(key)!;
      for (const e of await repo.edges(n.kind, n.id)) {
        const src = await addNode(e.src.kind, e.src.id, e.src.value, d);
        const dst = await addNode(e.dst.kind, e.dst.id, e.dst.value, d);
        if (!src || !dst) continue;
        addEdge({ source: src.key, target: dst.key, relation: e.relation, evidence: e.evidence, at: e.at });
        for (const m of [src, dst]) if (m.depth === d && m.key !== key) next.push(m.key);
      }
      if (options.labels !== false && n.threatLabel) {
        for (const s of await repo.sameLabel(n.threatLabel, { kind: n.kind, id: n.id }, 25)) {
          const m = await addNode(s.kind, s.id, s.value, d);
          if (!m) continue;
          addEdge({ source: n.key, target: m.key, relation: 'same_threat_label', evidence: { threatLabel: n.threatLabel }, at: null });
          if (m.depth === d) next.push(m.key);
        }
      }
    }
    frontier = [...new Set(next)];
  }
  return { root: keyOf(indicator.kind, rootId), depth, nodes: [...nodes.values()], edges: [...edges.values()], truncated };
}
