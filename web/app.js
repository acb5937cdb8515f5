// vt-gateway dashboard: plain ES modules, no framework, no CDN. Every number comes from the /api
// routes a script would call (signed in with the session cookie; state changes carry X-CSRF-Token).
import { renderBatches, renderChanges, renderTokens, renderWebhooks } from './admin.js';
import { renderSearch } from './search.js';
import { renderWatchlists } from './watchlists.js';
import { renderIndicator, renderLookup, renderOverview } from './views.js';

const body = document.body;
export const me = { role: body.dataset.role, name: body.dataset.name, open: body.dataset.open === 'true', mock: body.dataset.mock === 'true' };
const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const RANK = { reader: 1, analyst: 2, admin: 3 };
export const can = (role) => RANK[me.role] >= RANK[role];

/** Escapes text for HTML. Every value from the API goes through it. */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A time in the viewer's zone, with UTC on hover. */
export function time(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '<span class="muted">–</span>';
  const d = new Date(ms);
  const local = d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  const utc = `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  return `<time datetime="${d.toISOString()}" title="${utc}">${esc(local)}</time>`;
}

export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * Calls the gateway's API as the signed-in user.
 * @param {string} path
 * @param {{ method?: string, json?: unknown, text?: string, accept?: string }} [options]
 * @returns {Promise<any>}
 */
export async function api(path, { method = 'GET', json, text, accept } = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: accept ?? 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  let payload;
  if (json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(json);
  } else if (text !== undefined) {
    headers['content-type'] = 'text/plain';
    payload = text;
  }
  const r = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (r.status === 401) {
    location.reload();
    throw new ApiError(401, 'Unauthorized', 'signed out');
  }
  const type = r.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await r.json() : await r.text();
  if (!r.ok) throw new ApiError(r.status, data?.error?.code ?? 'Error', data?.error?.message ?? `HTTP ${r.status}`);
  return data;
}

/** Whether a route exists (feature detection for sections other changes add). */
const probes = new Map();
export function hasApi(path) {
  if (!probes.has(path)) probes.set(path, fetch(path, { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null)).catch(() => null));
  return probes.get(path);
}

export function errorBox(err) {
  return `<p class="error" role="alert">${esc(err.code ? `${err.code}: ` : '')}${esc(err.message)}</p>`;
}

// ---- live updates ----------------------------------------------------------------------------
const listeners = { overview: new Set(), batches: new Set(), change: new Set() };
/** The latest `overview` and `batches` events (null until the first arrives). @type {{ overview: any, batches: any }} */
export const live = { overview: null, batches: null };
export function on(event, fn) {
  listeners[event].add(fn);
  return () => listeners[event].delete(fn);
}
function connect() {
  const source = new EventSource('/api/events');
  for (const name of Object.keys(listeners)) {
    source.addEventListener(name, (e) => {
      const data = JSON.parse(e.data);
      if (name in live) live[name] = data;
      for (const fn of listeners[name]) fn(data);
    });
  }
  const status = document.getElementById('live');
  source.onopen = () => status && (status.textContent = 'live');
  source.onerror = () => status && (status.textContent = 'reconnecting…');
}

// ---- routing ---------------------------------------------------------------------------------
const SECTIONS = [
  { id: 'overview', label: 'Overview', role: 'reader', render: renderOverview },
  { id: 'lookup', label: 'Lookup', role: 'reader', render: renderLookup },
  { id: 'batches', label: 'Batches', role: 'analyst', render: renderBatches },
  { id: 'changes', label: 'Changes', role: 'reader', render: renderChanges },
  { id: 'watchlists', label: 'Watchlists', role: 'reader', render: renderWatchlists },
  { id: 'webhooks', label: 'Webhooks', role: 'analyst', render: renderWebhooks },
  { id: 'tokens', label: 'Tokens', role: 'admin', render: renderTokens },
];
/** Sections another part of the server may offer: shown only when their API answers. */
const OPTIONAL = [{ id: 'search', label: 'Search', role: 'reader', render: renderSearch, probe: '/api/search?limit=1', after: 'lookup' }];
const HIDDEN = { indicator: renderIndicator };
let cleanup = [];

function navigate() {
  for (const fn of cleanup) fn();
  cleanup = [];
  const [id, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const section = SECTIONS.find((s) => s.id === id && can(s.role)) ?? (HIDDEN[id] ? { id, render: HIDDEN[id] } : SECTIONS[0]);
  for (const a of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('#nav a'))) {
    if (a.dataset.id === section.id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const arg = rest.length ? decodeURIComponent(rest.join('/')) : '';
  main.innerHTML = '';
  const ctx = { main, arg, onCleanup: (fn) => cleanup.push(fn) };
  Promise.resolve(section.render(ctx)).catch((err) => {
    main.innerHTML = errorBox(err);
  });
}

async function start() {
  for (const section of OPTIONAL) {
    if (can(section.role) && (await hasApi(section.probe))) SECTIONS.splice(SECTIONS.findIndex((s) => s.id === section.after) + 1, 0, section);
  }
  const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
  nav.innerHTML = SECTIONS.filter((s) => can(s.role))
    .map((s) => `<a href="#/${s.id}" data-id="${s.id}">${esc(s.label)}</a>`)
    .join('') + ' <span id="live" class="muted" aria-live="polite"></span>';
  document.getElementById('signout')?.addEventListener('click', async () => {
    await fetch('/dashboard/logout', { method: 'POST', headers: { 'x-csrf-token': csrf }, credentials: 'same-origin' });
    location.href = '/';
  });
  window.addEventListener('hashchange', navigate);
  connect();
  navigate();
}

start();
