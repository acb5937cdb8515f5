/**
 * The repository's own small VirusTotal answers, written from the documented shapes
 * (reference/vt-api.md §2-§4), for the simulator's shape tests when the real captures in
 * ../shared/fixtures/vt are not beside the clone. Only envelopes, error bodies and analysis
 * descriptors live here: the large object captures (files, URLs, domains, IPs) stay real-only and
 * their tests are skipped without them.
 */
const URL_ID = '9337405ca21d71c5db26b9982aea01707c95a925c8ef99f5a42e7dd29dc06f3d';
const FILE_ANALYSIS_ID = 'ZWY0Y2M1NWMzOTkwY2E2MmJmMDUyM2NlMTA1ZGU3NTA6MTcwMjIzNTY5MA==';
const SELF = 'https://www.virustotal.com/api/v3';
const FILE_STATS = { malicious: 0, suspicious: 0, undetected: 0, harmless: 0, timeout: 0, 'confirmed-timeout': 0, failure: 0, 'type-unsupported': 0 };
const URL_STATS = { malicious: 0, suspicious: 0, undetected: 0, harmless: 0, timeout: 0 };

export const OWN_FIXTURES: Record<string, unknown> = {
  'error-not-found.json': { error: { message: 'File "0000000000000000000000000000000000000000000000000000000000000000" not found', code: 'NotFoundError' } },
  'error-wrong-credentials.json': { error: { message: 'Wrong API key', code: 'WrongCredentialsError' } },
  'analysis-descriptor-file-rescan.json': { data: { type: 'analysis', id: FILE_ANALYSIS_ID, links: { self: `${SELF}/analyses/${FILE_ANALYSIS_ID}` } } },
  'analysis-descriptor-file-upload.json': { data: { type: 'analysis', id: FILE_ANALYSIS_ID, links: { self: `${SELF}/analyses/${FILE_ANALYSIS_ID}` } } },
  'analysis-descriptor-url-scan.json': {
    data: { type: 'analysis', id: `u-${URL_ID}-1755151622`, links: { self: `${SELF}/analyses/u-${URL_ID}-1755151622` } },
  },
  'analysis-file-queued.json': {
    data: {
      id: FILE_ANALYSIS_ID,
      type: 'analysis',
      links: { self: `${SELF}/analyses/${FILE_ANALYSIS_ID}`, item: `${SELF}/files/${'0'.repeat(64)}` },
      attributes: { stats: FILE_STATS, date: 1702235690, status: 'queued', results: {} },
    },
    meta: { file_info: { sha256: '0'.repeat(64), md5: '0'.repeat(32), sha1: '0'.repeat(40), size: 1 } },
  },
  'analysis-url-queued.json': {
    data: {
      id: `u-${URL_ID}-1755151622`,
      type: 'analysis',
      links: { self: `${SELF}/analyses/u-${URL_ID}-1755151622`, item: `${SELF}/urls/${URL_ID}` },
      attributes: { status: 'queued', date: 1755151622, stats: URL_STATS, results: {} },
    },
    meta: { url_info: { id: URL_ID, url: 'https://www.irctc.co.in/' } },
  },
};
