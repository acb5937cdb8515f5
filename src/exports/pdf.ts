/**
 * PDF report (pdfkit): title page with scope and time range, summary counts, a detections-over-time
 * chart, the top malicious indicators with labels and detection ratios, quota spent, and an appendix
 * table of the matching indicators (the first `appendixRows`; the CSV export has them all).
 */
import PDFDocument from 'pdfkit';
import type { IndicatorRecord, SearchQuery, SearchSummary } from '../store/index.js';
import { scopeText } from './scope.js';

export interface PdfInput {
  producer: string;
  now: number;
  query: SearchQuery;
  summary: SearchSummary;
  top: IndicatorRecord[];
  appendix: AsyncIterable<IndicatorRecord>;
  appendixRows: number;
  quota?: Array<{ provider: string; window: string; used: number; limit: number | null }>;
}

const day = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().slice(0, 10) : '-');
const time = (ms: number | null | undefined) => (ms ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '-');

/** Keeps only characters the standard PDF fonts can draw (WinAnsi). */
function safe(s: string): string {
  return s.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');
}

function chart(doc: PDFKit.PDFDocument, timeline: SearchSummary['timeline']): void {
  const points = timeline.slice(-60);
  const x0 = doc.page.margins.left;
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const height = 160;
  const y0 = doc.y + 10;
  doc.rect(x0, y0, width, height).lineWidth(0.5).stroke('#888888');
  if (points.length === 0) {
    doc.fontSize(10).fillColor('black').text('No upstream answers recorded in this range.', x0 + 10, y0 + 70);
  } else {
    const max = Math.max(1, ...points.map((p) => p.answers));
    const bar = width / points.length;
    points.forEach((p, i) => {
      const hAll = (p.answers / max) * (height - 20);
      const hBad = (p.detected / max) * (height - 20);
      const x = x0 + i * bar + bar * 0.15;
      doc.rect(x, y0 + height - hAll, bar * 0.7, hAll).fill('#9db4d6');
      if (hBad > 0) doc.rect(x, y0 + height - hBad, bar * 0.7, hBad).fill('#cc0033');
    });
    doc.fillColor('black').fontSize(8);
    doc.text(`max ${max} per day`, x0 + 4, y0 + 4, { lineBreak: false });
    doc.text(day(points[0]!.day), x0, y0 + height + 4, { lineBreak: false });
    doc.text(day(points[points.length - 1]!.day), x0 + width - 60, y0 + height + 4, { lineBreak: false });
  }
  doc.x = x0;
  doc.y = y0 + height + 20;
  doc.fontSize(9).fillColor('#555555').text('Blue: upstream answers per UTC day. Red: answers with a malicious or suspicious verdict.', x0, doc.y);
  doc.fillColor('black');
}

export async function* pdfChunks(input: PdfInput): AsyncGenerator<Uint8Array> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${input.producer} threat-intelligence report`, Author: input.producer, Subject: scopeText(input.query) } });
  const { summary } = input;
  const left = doc.page.margins.left;

  doc.fontSize(24).text(`${safe(input.producer)} threat-intelligence report`, { align: 'left' });
  doc.moveDown();
  doc.fontSize(12).text(`Generated: ${time(input.now)}`);
  doc.text(`Scope: ${safe(scopeText(input.query))}`);
  doc.text(`Time range: ${input.query.since ? time(input.query.since) : time(summary.firstSeen)} to ${input.query.until ? time(input.query.until) : time(summary.lastSeen)}`);
  doc.text('Answered from the gateway cache and history: producing this report spent no quota.');
  doc.moveDown();
  doc.fontSize(16).text('Summary');
  doc.fontSize(12).text(`Indicators: ${summary.total}`);
  for (const k of ['file', 'url', 'domain', 'ip'] as const) doc.text(`  ${k}: ${summary.byKind[k] ?? 0}`);
  doc.text(`Malicious: ${summary.byVerdict.malicious ?? 0}   Suspicious: ${summary.byVerdict.suspicious ?? 0}   Harmless: ${summary.byVerdict.harmless ?? 0}   Undetected: ${summary.byVerdict.undetected ?? 0}   Not found: ${summary.byVerdict.not_found ?? 0}`);
  doc.moveDown();
  doc.fontSize(16).text('Quota spent');
  const answers = Object.entries(summary.answersByProvider);
  doc.fontSize(12);
  if (answers.length === 0) doc.text('No upstream requests recorded in this range.');
  for (const [provider, n] of answers) doc.text(`${provider}: ${n} upstream requests in this range`);
  for (const q of input.quota ?? []) doc.text(`${q.provider} ${q.window}: ${q.used} used of ${q.limit ?? 'unlimited'}`);

  doc.addPage();
  doc.fontSize(16).text('Detections over time');
  chart(doc, summary.timeline);
  doc.moveDown();
  doc.fontSize(16).text('Top malicious indicators', left);
  doc.moveDown(0.5);
  if (input.top.length === 0) doc.fontSize(11).text('None.');
  else {
    doc.fontSize(8).table({
      columnStyles: [40, '*', 110, 60],
      data: [
        ['Kind', 'Indicator', 'Threat label', 'Detections'].map((text) => ({ text, type: 'TH' as const, font: { family: 'Helvetica-Bold' } })),
        ...input.top.map((r) => [r.kind, safe(r.indicator), safe(r.threatLabel ?? '-'), r.engines ? `${r.detections}/${r.engines}` : String(r.detections)]),
      ],
    });
  }

  doc.addPage();
  doc.fontSize(16).text('Appendix: indicators', left);
  doc.fontSize(9).text(`The first ${input.appendixRows} of ${summary.total} matching indicators, most recently seen first. Export as CSV for all of them.`);
  doc.moveDown(0.5);
  const table = doc.fontSize(7).table({ columnStyles: [34, '*', 58, 40, 90, 62] });
  table.row(['Kind', 'Indicator', 'Verdict', 'Det.', 'Threat label', 'Last seen'].map((text) => ({ text, type: 'TH' as const, font: { family: 'Helvetica-Bold' } })));
  let n = 0;
  for await (const r of input.appendix) {
    if (n++ >= input.appendixRows) break;
    table.row([r.kind, safe(r.indicator.length > 90 ? `${r.indicator.slice(0, 87)}...` : r.indicator), r.verdict, r.engines ? `${r.detections}/${r.engines}` : String(r.detections), safe(r.threatLabel ?? ''), day(r.lastSeen)]);
  }
  table.end();
  doc.end();
  for await (const chunk of doc as unknown as AsyncIterable<Uint8Array>) yield chunk;
}
