// What a kept relationship page links: its object (by any id VirusTotal takes) to each indicator it lists.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { pageEdges } from './relationship-edges.js';

const at = 1_700_000_000_000;

test('a domain resolutions page links the domain to each IP; an IP page links it to each domain', () => {
  const resolution = (ip: string, host: string) => ({ type: 'resolution', id: `${ip}${host}`, attributes: { ip_address: ip, host_name: host } });
  const domain = pageEdges({ key: '/domains/example.org/resolutions?limit=2', status: 200, fetchedAt: at, body: { data: [resolution('1.2.3.4', 'example.org'), resolution('5.6.7.8', 'example.org')] } });
  assert.deepEqual(
    domain.map((e) => [e.src.kind, e.src.id, e.relation, e.dst.kind, e.dst.id, e.at]),
    [
      ['domain', 'example.org', 'resolutions', 'ip', '1.2.3.4', at],
      ['domain', 'example.org', 'resolutions', 'ip', '5.6.7.8', at],
    ],
  );
  const ip = pageEdges({ key: '/ip_addresses/1.2.3.4/resolutions?', status: 200, fetchedAt: at, body: { data: [resolution('1.2.3.4', 'a.example.net')] } });
  assert.deepEqual(ip.map((e) => [e.src.id, e.dst.kind, e.dst.id]), [['1.2.3.4', 'domain', 'a.example.net']]);
});

test('a URL page by its base64url id names the URL; URL items by their URL; errors and odd items give nothing', () => {
  const url = 'http://evil.example/a.sh';
  const sha = createHash('sha256').update(url).digest('hex');
  const fileId = 'a'.repeat(64);
  const edges = pageEdges({
    key: `/urls/${Buffer.from(url).toString('base64url')}/downloaded_files?limit=3`,
    status: 200,
    fetchedAt: at,
    body: { data: [{ type: 'file', id: fileId }, { type: 'comment', id: 'x' }, { type: 'file', id: 'not a hash' }] },
  });
  assert.deepEqual(edges.map((e) => [e.src.kind, e.src.id, e.dst.kind, e.dst.id]), [['url', sha, 'file', fileId]]);
  const items = pageEdges({ key: `/files/${fileId}/contacted_urls?`, status: 200, fetchedAt: at, body: { data: [{ type: 'url', id: sha, attributes: { url } }] } });
  assert.deepEqual(items.map((e) => [e.dst.kind, e.dst.id, e.dst.value]), [['url', sha, url]]);
  assert.deepEqual(pageEdges({ key: `/files/${fileId}/contacted_ips?`, status: 404, fetchedAt: at, body: { error: { code: 'NotFoundError' } } }), []);
});
