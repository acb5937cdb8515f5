/** Aligned text tables for terminals. */
import { visibleLength } from './color.js';

export interface TableLayout {
  /** Column indexes aligned right (numbers). */
  right?: ReadonlySet<number>;
  /** Gap between columns (default 2 spaces). */
  gap?: number;
}

function pad(text: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - visibleLength(text)));
  return right ? fill + text : text + fill;
}

/** Renders rows of cells (already coloured) under a header; the last column is not padded. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], layout: TableLayout = {}): string[] {
  const widths = header.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const gap = ' '.repeat(layout.gap ?? 2);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 && !layout.right?.has(i) ? c : pad(c, widths[i] ?? 0, layout.right?.has(i) ?? false)))
      .join(gap)
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
