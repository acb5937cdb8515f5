/**
 * The hostile-content service as the Gateway composes it: archive members are looked up through the
 * Gateway and uploaded through the scan service (the rules already ran on them), and YARA matches
 * are written to history. `scanFile` runs the rules on the file it scans.
 */
import { basename } from 'node:path';
import { type ContentHost, ContentService } from '../archives/index.js';
import type { Runtime } from './runtime.js';
import type { ScanFileOptions, ScanResult } from './types.js';

export function openContent(host: Pick<ContentHost, 'config' | 'lookup'>, rt: Pick<Runtime, 'scans' | 'store' | 'clock'>): ContentService {
  return new ContentService(
    { config: host.config, lookup: (h, o) => host.lookup(h, o), scanFile: (p, o) => rt.scans.scanFile(p, o) },
    { recordYara: (s) => rt.store.yara.append({ ...s, at: rt.clock.now() }) },
  );
}

/** Hash first, upload only when VirusTotal does not know the file; the local YARA rules (if any) run on it too. */
export async function scanFileWithRules(rt: Pick<Runtime, 'scans'>, content: ContentService, path: string, options: ScanFileOptions): Promise<ScanResult> {
  const result = await rt.scans.scanFile(path, options);
  const yara = await content.yaraFile(path, options.filename ?? basename(path));
  return yara ? { ...result, yara } : result;
}
