/**
 * Relationship names VirusTotal's public API serves per object collection, and the type of their
 * items (docs: files, URL, domain and IP objects). The simulator serves exactly these; `vtg file
 * relationships` lists them without spending quota.
 */
export type VtCollection = 'files' | 'urls' | 'domains' | 'ip_addresses';
export type RelationshipItemType = 'file' | 'url' | 'domain' | 'ip_address' | 'comment' | 'vote' | 'resolution';

export interface RelationshipInfo {
  items: RelationshipItemType;
  description: string;
}

const COMMON: Record<string, RelationshipInfo> = {
  comments: { items: 'comment', description: 'community comments on the object' },
  votes: { items: 'vote', description: 'community votes (harmless or malicious)' },
};

export const VT_RELATIONSHIPS: Record<VtCollection, Record<string, RelationshipInfo>> = {
  files: {
    ...COMMON,
    contacted_domains: { items: 'domain', description: 'domains the file contacted in sandboxes' },
    contacted_ips: { items: 'ip_address', description: 'IP addresses the file contacted in sandboxes' },
    contacted_urls: { items: 'url', description: 'URLs the file contacted in sandboxes' },
    embedded_domains: { items: 'domain', description: 'domains found inside the file' },
    embedded_ips: { items: 'ip_address', description: 'IP addresses found inside the file' },
    embedded_urls: { items: 'url', description: 'URLs found inside the file' },
    itw_domains: { items: 'domain', description: 'domains the file was downloaded from (in the wild)' },
    itw_ips: { items: 'ip_address', description: 'IP addresses the file was downloaded from (in the wild)' },
    itw_urls: { items: 'url', description: 'URLs the file was downloaded from (in the wild)' },
    bundled_files: { items: 'file', description: 'files inside this archive' },
    compressed_parents: { items: 'file', description: 'archives that contain the file' },
    dropped_files: { items: 'file', description: 'files the file dropped in sandboxes' },
    execution_parents: { items: 'file', description: 'files that executed the file' },
    similar_files: { items: 'file', description: 'files similar to this one' },
  },
  urls: {
    ...COMMON,
    contacted_domains: { items: 'domain', description: 'domains the page contacted when loaded' },
    contacted_ips: { items: 'ip_address', description: 'IP addresses the page contacted when loaded' },
    downloaded_files: { items: 'file', description: 'files downloaded from the URL' },
    redirecting_urls: { items: 'url', description: 'URLs that redirect to this one' },
    redirects_to: { items: 'url', description: 'URLs this one redirects to' },
  },
  domains: {
    ...COMMON,
    communicating_files: { items: 'file', description: 'files that contact the domain' },
    downloaded_files: { items: 'file', description: 'files downloaded from the domain' },
    referrer_files: { items: 'file', description: 'files that name the domain' },
    resolutions: { items: 'resolution', description: 'IP addresses the domain resolved to' },
    siblings: { items: 'domain', description: 'domains under the same parent' },
    subdomains: { items: 'domain', description: 'subdomains of the domain' },
    urls: { items: 'url', description: 'URLs under the domain' },
  },
  ip_addresses: {
    ...COMMON,
    communicating_files: { items: 'file', description: 'files that contact the IP address' },
    downloaded_files: { items: 'file', description: 'files downloaded from the IP address' },
    referrer_files: { items: 'file', description: 'files that name the IP address' },
    resolutions: { items: 'resolution', description: 'domains that resolved to the IP address' },
    urls: { items: 'url', description: 'URLs on the IP address' },
  },
};
