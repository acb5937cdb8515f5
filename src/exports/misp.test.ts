import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { type TestServer, call, startTestServer } from '../http/test-support/harness.js';
import { COWRIE_IP, EICAR_SHA256, populate } from './test-support/populate.js';

// Templates from MISP/misp-objects @ 54538c6 (CC0 / BSD-2, LICENSE.md beside them) and describeTypes.json
// from PyMISP @ 99a1c79 (BSD-2-Clause), copied into the repository so this test always runs.
const data = (rel: string) => JSON.parse(readFileSync(new URL(`./testdata/misp/${rel}`, import.meta.url), 'utf8'));
// biome-ignore lint/suspicious/noExplicitAny: MISP documents are walked as plain JSON
type Json = any;
const TEMPLATES: Record<string, Json> = Object.fromEntries(['file', 'url', 'domain-ip', 'virustotal-report'].map((n) => [n, data(`objects/${n}/definition.json`)]));
const TYPES: Json = data('schema/describeTypes.json').result;

/** Every problem in an event, checked from the template and type files themselves (exports.md 2.4). */
function check(doc: Json): string[] {
  const errors: string[] = [];
  const e = doc.Event;
  if (!e) return ['no Event wrapper'];
  for (const k of ['uuid', 'info', 'date', 'timestamp', 'publish_timestamp', 'distribution']) if (typeof e[k] !== 'string') errors.push(`Event.${k} must be a string`);
  if (typeof e.published !== 'boolean') errors.push('Event.published must be a boolean');
  const objectUuids = new Set((e.Object ?? []).map((o: Json) => o.uuid));
  const attrCheck = (a: Json, where: string) => {
    if (!TYPES.types.includes(a.type)) errors.push(`${where}: unknown type ${a.type}`);
    if (!(TYPES.category_type_mappings[a.category] ?? []).includes(a.type)) errors.push(`${where}: type ${a.type} not allowed in category ${a.category}`);
    for (const k of ['uuid', 'value', 'timestamp', 'distribution']) if (typeof a[k] !== 'string') errors.push(`${where}: ${k} must be a string`);
    for (const k of ['to_ids', 'deleted']) if (typeof a[k] !== 'boolean') errors.push(`${where}: ${k} must be a boolean`);
  };
  for (const a of e.Attribute ?? []) attrCheck(a, `Attribute ${a.uuid}`);
  for (const o of e.Object ?? []) {
    const t = TEMPLATES[o.name];
    const where = `Object ${o.name} ${o.uuid}`;
    if (!t) {
      errors.push(`${where}: no template`);
      continue;
    }
    if (o.template_uuid !== t.uuid) errors.push(`${where}: template_uuid ${o.template_uuid}`);
    if (o.template_version !== String(t.version)) errors.push(`${where}: template_version ${o.template_version}`);
    if (o['meta-category'] !== t['meta-category']) errors.push(`${where}: meta-category ${o['meta-category']}`);
    const relations = (o.Attribute ?? []).map((a: Json) => a.object_relation);
    for (const r of t.required ?? []) if (!relations.includes(r)) errors.push(`${where}: required ${r} missing`);
    if (t.requiredOneOf && !t.requiredOneOf.some((r: string) => relations.includes(r))) errors.push(`${where}: none of requiredOneOf`);
    for (const a of o.Attribute ?? []) {
      const spec = t.attributes[a.object_relation];
      if (!spec) {
        errors.push(`${where}: relation ${a.object_relation} not in the template`);
        continue;
      }
      if (spec['misp-attribute'] !== a.type) errors.push(`${where}: ${a.object_relation} has type ${a.type}, template says ${spec['misp-attribute']}`);
      if (spec.categories && !spec.categories.includes(a.category)) errors.push(`${where}: ${a.object_relation} category ${a.category} not in ${spec.categories}`);
      if (!spec.multiple && relations.filter((r: string) => r === a.object_relation).length > 1) errors.push(`${where}: ${a.object_relation} repeated`);
      attrCheck(a, `${where} ${a.object_relation}`);
    }
    for (const ref of o.ObjectReference ?? []) {
      if (ref.object_uuid !== o.uuid) errors.push(`${where}: reference from ${ref.object_uuid}`);
      if (!objectUuids.has(ref.referenced_uuid)) errors.push(`${where}: reference to ${ref.referenced_uuid} not in the event`);
      if (!/^[a-z0-9-]+$/.test(ref.relationship_type)) errors.push(`${where}: relationship ${ref.relationship_type}`);
    }
  }
  return errors;
}

let t: TestServer;
before(async () => {
  t = await startTestServer();
  await populate(t.gateway);
});
after(() => t?.close());

async function event(query = ''): Promise<Json> {
  const r = await call(t.url, `/api/export?format=misp${query}`);
  assert.equal(r.status, 200);
  return JSON.parse(r.text);
}

test('MISP events carry every field their templates require, with allowed types and categories', async () => {
  for (const q of ['', '&kind=file', '&kind=url', '&kind=domain', '&kind=ip', '&verdict=malicious', '&source=cowrie:run-1', '&q=nothing-matches']) {
    assert.deepEqual(check(await event(q)), [], `query ${q || '(all)'}`);
  }
  const doc = await event();
  const names = new Set(doc.Event.Object.map((o: Json) => o.name));
  for (const n of ['file', 'url', 'domain-ip', 'virustotal-report']) assert.ok(names.has(n), `has ${n}`);
  const eicar = doc.Event.Object.find((o: Json) => o.name === 'file' && o.Attribute.some((a: Json) => a.value === EICAR_SHA256));
  const sha = eicar.Attribute.find((a: Json) => a.object_relation === 'sha256');
  assert.equal(sha.to_ids, true);
  assert.ok(sha.Tag.some((tag: Json) => tag.name === 'vt-gateway:verdict="malicious"'));
  const ref = eicar.ObjectReference.find((r: Json) => r.relationship_type === 'analysed-with');
  const vt = doc.Event.Object.find((o: Json) => o.uuid === ref.referenced_uuid);
  assert.equal(vt.name, 'virustotal-report');
  assert.match(vt.Attribute.find((a: Json) => a.object_relation === 'detection-ratio').value, /^\d+\/\d+$/);
  const ip = doc.Event.Object.find((o: Json) => o.name === 'domain-ip' && o.Attribute.some((a: Json) => a.value === COWRIE_IP));
  assert.ok(ip, 'the Cowrie attacker IP is a domain-ip object');
  assert.deepEqual(doc.Event.Tag.map((tag: Json) => tag.name), ['tlp:amber']);
});

test('the checker catches broken events', async () => {
  const doc = await event('&kind=file');
  const broken = (mutate: (d: Json) => void) => {
    const copy = structuredClone(doc);
    mutate(copy);
    return check(copy);
  };
  const vt = (d: Json) => d.Event.Object.find((o: Json) => o.name === 'virustotal-report');
  const file = (d: Json) => d.Event.Object.find((o: Json) => o.name === 'file');
  assert.notDeepEqual(broken((d) => (vt(d).Attribute = vt(d).Attribute.filter((a: Json) => a.object_relation !== 'permalink'))), []);
  assert.notDeepEqual(broken((d) => (file(d).Attribute.find((a: Json) => a.object_relation === 'sha256').category = 'Network activity')), []);
  assert.notDeepEqual(broken((d) => (file(d).template_uuid = '00000000-0000-4000-8000-000000000000')), []);
  assert.notDeepEqual(broken((d) => (file(d).Attribute[0].to_ids = '1')), []);
  assert.notDeepEqual(broken((d) => (d.Event = undefined)), []);
});
