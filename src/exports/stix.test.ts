import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { type TestServer, call, startTestServer } from '../http/test-support/harness.js';
import { canonicalJson, scoOf, uuidv5 } from './index.js';
import { STIX_SCO_NAMESPACE } from './ids.js';
import { COWRIE_FILE, COWRIE_IP, EICAR_SHA256, populate } from './test-support/populate.js';

// The OASIS schemas (oasis-open/cti-stix2-json-schemas @ 3bf9e69, BSD-3-Clause, LICENSE beside them),
// copied into the repository so this test always runs.
const SCHEMAS = fileURLToPath(new URL('./testdata/stix2.1-schemas/', import.meta.url));
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';

// biome-ignore lint/suspicious/noExplicitAny: STIX objects are walked as plain JSON
type Json = any;

function validator() {
  const ajv = new Ajv2020.default({ strict: false, unicodeRegExp: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat('idn-hostname', true);
  const byType = new Map<string, string>();
  for (const dir of ['common', 'sdos', 'sros', 'observables']) {
    for (const f of readdirSync(join(SCHEMAS, dir)).filter((n) => n.endsWith('.json'))) {
      ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS, dir, f), 'utf8')));
      byType.set(f.replace(/\.json$/, ''), `${BASE}${dir}/${f}`);
    }
  }
  const bundle = ajv.getSchema(`${BASE}common/bundle.json`)!;
  assert.ok(bundle, 'bundle schema compiled');
  /** Errors of a bundle: the envelope against bundle.json, then each object against its own schema. */
  return (doc: Json): string[] => {
    const errors: string[] = [];
    if (!bundle(doc)) errors.push(`bundle: ${ajv.errorsText(bundle.errors?.slice(0, 3))}`);
    for (const o of doc.objects ?? []) {
      const id = byType.get(o.type);
      if (!id) {
        errors.push(`${o.id}: no schema for type ${o.type}`);
        continue;
      }
      const v = ajv.getSchema(id)!;
      if (!v(o)) errors.push(`${o.id}: ${ajv.errorsText(v.errors)}`);
    }
    // what the schemas do not check (exports.md 1.8): references resolve, modified >= created, patterns are bracketed
    const ids = new Set((doc.objects ?? []).map((o: Json) => o.id));
    for (const o of doc.objects ?? []) {
      for (const [k, v] of Object.entries(o)) {
        const refs = k.endsWith('_ref') ? [v] : k.endsWith('_refs') ? (v as unknown[]) : [];
        for (const r of refs) if (!ids.has(r)) errors.push(`${o.id}: ${k} -> ${String(r)} is not in the bundle`);
      }
      if (o.created && o.modified && o.modified < o.created) errors.push(`${o.id}: modified before created`);
      if (o.type === 'indicator' && !/^\[.+\]$/.test(o.pattern)) errors.push(`${o.id}: pattern ${o.pattern}`);
    }
    return errors;
  };
}

let t: TestServer;
let validate: ReturnType<typeof validator>;

before(async () => {
  validate = validator();
  t = await startTestServer();
  await populate(t.gateway);
});
after(() => t?.close());

async function bundle(query = ''): Promise<Json> {
  const r = await call(t.url, `/api/export?format=stix${query}`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^application\/stix\+json/);
  return JSON.parse(r.text);
}

test('deterministic SCO ids match the spec and the cti-documentation vectors', () => {
  assert.equal(scoOf('ip', '198.51.100.3', '198.51.100.3').id, 'ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4');
  assert.equal(scoOf('ip', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:0db8:85a3:0000:0000:8a2e:0370:7334').id, 'ipv6-addr--85a85a8c-ee99-5722-946d-3c3a3270fc6f');
  assert.equal(scoOf('domain', 'example.com', 'example.com').id, 'domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7');
  assert.equal(scoOf('url', 'x', 'https://example.com/research/index.html').id, 'url--47c3cf9a-5027-5bf0-997a-017c7edc7c55');
  const name = canonicalJson({ name: 'foo.dll', hashes: { 'SHA-256': 'fe90a7e910cb3a4739bed9180e807e93fa70c90f25a8915476f5e4bfbac681db' } });
  assert.equal(`file--${uuidv5(STIX_SCO_NAMESPACE, name)}`, 'file--949eb97a-da1e-5292-8959-03c4249dc9f3');
  const md5 = canonicalJson({ hashes: { MD5: '1717b7fff97d37a1e1a0029d83492de1' }, name: 'resume.pdf' });
  assert.equal(`file--${uuidv5(STIX_SCO_NAMESPACE, md5)}`, 'file--364fe3e5-b1f4-5ba3-b951-ee5983b3538d');
  const quete = canonicalJson({ hashes: { 'SHA-256': '841a8921140aba50671ebb0770fecc4ee308c4952cfeff8de154ab14eeef4649' }, name: 'quêry.dll' });
  assert.equal(`file--${uuidv5(STIX_SCO_NAMESPACE, quete)}`, 'file--7d1e3a18-89e7-5bc5-be36-9879f5b7f5c8');
});

test('every bundle validates against the OASIS schemas: everything, per kind, malicious and clean, labels, Cowrie edges', async () => {
  const queries = ['', '&kind=file', '&kind=url', '&kind=domain', '&kind=ip', '&verdict=malicious', '&verdict=harmless,undetected,not_found', '&label=mirai', '&source=cowrie:run-1', '&q=nothing-matches-this'];
  for (const q of queries) {
    const doc = await bundle(q);
    assert.deepEqual(validate(doc), [], `query ${q || '(all)'}`);
  }
  const doc = await bundle();
  const types = new Set(doc.objects.map((o: Json) => o.type));
  for (const type of ['identity', 'file', 'url', 'domain-name', 'ipv4-addr', 'ipv6-addr', 'indicator', 'malware', 'relationship', 'sighting']) assert.ok(types.has(type), `has ${type}`);
  const eicar = doc.objects.find((o: Json) => o.type === 'indicator' && o.pattern.includes(EICAR_SHA256));
  assert.ok(eicar.pattern.includes("file:hashes.'SHA-256' = '"));
  assert.equal(eicar.indicator_types[0], 'malicious-activity');
  assert.ok(eicar.confidence >= 50);
  assert.match(eicar.external_references[0].url, /^https:\/\/www\.virustotal\.com\/gui\/file\//);
  assert.ok(doc.objects.some((o: Json) => o.type === 'relationship' && o.relationship_type === 'indicates' && o.source_ref === eicar.id));
  assert.ok(doc.objects.some((o: Json) => o.type === 'sighting' && o.sighting_of_ref === eicar.id && o.count >= 1));
  const ip = scoOf('ip', COWRIE_IP, COWRIE_IP).id;
  const fetched = doc.objects.find((o: Json) => o.type === 'relationship' && o.source_ref === ip);
  assert.equal(fetched.relationship_type, 'downloads');
  assert.match(fetched.description, /session: a1b2c3d4/);
  const file = scoOf('file', COWRIE_FILE, COWRIE_FILE).id;
  assert.ok(doc.objects.some((o: Json) => o.type === 'relationship' && o.target_ref === file), 'URL -> file edge from the Cowrie session');
  const again = await bundle();
  assert.deepEqual(again.objects.map((o: Json) => o.id), doc.objects.map((o: Json) => o.id), 'object ids are deterministic');
});

test('deliberately broken bundles fail', async () => {
  const doc = await bundle('&kind=file');
  const broken = (mutate: (d: Json) => void) => {
    const copy = structuredClone(doc);
    mutate(copy);
    return validate(copy);
  };
  const ind = (d: Json) => d.objects.find((o: Json) => o.type === 'indicator');
  assert.notDeepEqual(broken((d) => delete ind(d).pattern), []);
  assert.notDeepEqual(broken((d) => (ind(d).created = '2026-01-01T00:00:00Z')), []);
  assert.notDeepEqual(broken((d) => (ind(d).valid_from = '2026-01-01T00:00:00+00:00')), []);
  assert.notDeepEqual(broken((d) => (ind(d).confidence = 101)), []);
  assert.notDeepEqual(broken((d) => delete d.objects.find((o: Json) => o.type === 'malware').is_family), []);
  assert.notDeepEqual(broken((d) => (d.objects.find((o: Json) => o.type === 'relationship').relationship_type = 'Indicates')), []);
  assert.notDeepEqual(broken((d) => (d.objects.find((o: Json) => o.type === 'file').hashes['SHA-256'] = 'abc')), []);
  assert.notDeepEqual(broken((d) => (d.objects.find((o: Json) => o.type === 'sighting').sighting_of_ref = 'indicator--00000000-0000-4000-8000-000000000000')), []);
  assert.notDeepEqual(broken((d) => (d.type = 'Bundle')), []);
});
