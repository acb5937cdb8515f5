/**
 * Dashboard sign-in sessions, kept in the store so a restart or a second instance knows them. The
 * browser holds a random 256-bit session id (in an HttpOnly cookie); the store holds only its sha256
 * and the gateway token sealed (AES-256-GCM) under a key derived from the id, so the database alone
 * gives neither a session nor a token. The CSRF token is derived from the id, never stored.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Clock } from '../clock/index.js';
import type { SessionRepository } from '../store/index.js';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** At most this many live sessions are kept (the ones that expire first go). */
const MAX_SESSIONS = 10_000;

export interface DashboardSession {
  id: string;
  /** The gateway token it signed in with, or null in open mode (no token configured). */
  token: string | null;
  /** What state-changing requests made with this session must send in `X-CSRF-Token`. */
  csrf: string;
  expiresAt: number;
}

const hashOf = (id: string): string => createHash('sha256').update(`vtg-session:${id}`).digest('hex');
const keyOf = (id: string): Buffer => Buffer.from(hkdfSync('sha256', id, 'vtg-session', 'token seal', 32));
const csrfOf = (id: string): string => createHmac('sha256', id).update('vtg-csrf').digest('base64url');

function seal(token: string, id: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(id), iv);
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function unseal(sealed: string, id: string): string | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyOf(id), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

export class SessionService {
  readonly #repo: SessionRepository;
  readonly #clock: Clock;
  #lastSweep = 0;

  constructor(repo: SessionRepository, clock: Clock) {
    this.#repo = repo;
    this.#clock = clock;
  }

  /** Opens a session for a token (null: open mode); `tokenId` names it in the store. */
  async create(token: string | null, tokenId: string | null): Promise<DashboardSession> {
    const now = this.#clock.now();
    if (now - this.#lastSweep > 60_000) {
      this.#lastSweep = now;
      await this.#repo.deleteExpired(now);
      await this.#repo.trim(MAX_SESSIONS);
    }
    const id = randomBytes(32).toString('base64url');
    const expiresAt = now + SESSION_TTL_MS;
    await this.#repo.create({ idHash: hashOf(id), tokenId, sealedToken: token === null ? null : seal(token, id), createdAt: now, expiresAt });
    return { id, token, csrf: csrfOf(id), expiresAt };
  }

  /**
   * Open mode's page session (no token configured): it holds no token, so there is nothing to keep
   * and nothing is stored. Its CSRF token is what the page's scripts send; without a stored session
   * no request is authenticated by a cookie, so none is checked (the Host/Origin rule still applies).
   */
  unstored(): DashboardSession {
    const id = randomBytes(32).toString('base64url');
    return { id, token: null, csrf: csrfOf(id), expiresAt: this.#clock.now() + SESSION_TTL_MS };
  }

  /** The live session with this id, or undefined (unknown, expired, malformed or tampered with). */
  async get(id: string | undefined): Promise<DashboardSession | undefined> {
    if (!id || !ID_PATTERN.test(id)) return undefined;
    const row = await this.#repo.get(hashOf(id), this.#clock.now());
    if (!row) return undefined;
    const token = row.sealedToken === null ? null : unseal(row.sealedToken, id);
    if (token === undefined) return undefined;
    return { id, token, csrf: csrfOf(id), expiresAt: row.expiresAt };
  }

  /** Live sessions kept in the store. */
  count(): Promise<number> {
    return this.#repo.count(this.#clock.now());
  }

  async delete(id: string | undefined): Promise<void> {
    if (id && ID_PATTERN.test(id)) await this.#repo.delete(hashOf(id));
  }
}
