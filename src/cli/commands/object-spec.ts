/** The four object commands (`vtg file|url|domain|ip`) and their flags, shared by the registration and the run. */
import type { VtCollection } from '../../providers/virustotal/relationships.js';

export type ObjectCommandName = 'file' | 'url' | 'domain' | 'ip';

export interface ObjectCommandSpec {
  kind: ObjectCommandName;
  collection: VtCollection;
  what: string;
  sample: string;
  relationship: string;
}

export const OBJECT_COMMANDS: Record<ObjectCommandName, ObjectCommandSpec> = {
  file: { kind: 'file', collection: 'files', what: 'files by MD5, SHA-1 or SHA-256', sample: '44d88612fea8a8f36de82e1278abb02f', relationship: 'contacted_ips' },
  url: { kind: 'url', collection: 'urls', what: 'URLs (the URL itself, or its VirusTotal id)', sample: 'http://example.com/x.sh', relationship: 'downloaded_files' },
  domain: { kind: 'domain', collection: 'domains', what: 'domains', sample: 'example.com', relationship: 'resolutions' },
  ip: { kind: 'ip', collection: 'ip_addresses', what: 'IP addresses', sample: '8.8.8.8', relationship: 'resolutions' },
};

export interface ObjectFlags {
  include?: string[];
  exclude?: string[];
  limit?: number;
  cursor?: string;
  allEngines?: boolean;
  maxAge?: number;
  cacheOnly?: boolean;
  wait: boolean;
}

