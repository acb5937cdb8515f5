/**
 * Who gets an in-flight slot. Requests fall into two lanes that never wait for each other:
 *
 * - **reads** (no body: lookups, cached answers, status): `maxInFlight` slots;
 * - **bodies** (uploads, JSON posts, batches): `maxBodiesInFlight` slots, so slow or stuck uploads
 *   can never take the slots cached reads need.
 *
 * Within each lane one client (a presented token, or the peer address when none is sent) holds at most
 * `perClientShare` of the slots: beyond it the client gets 429 `TooManyInFlight`, and everyone else
 * keeps being served. A full lane answers 503 `Overloaded`. `/api/health` is always admitted.
 */
import type { IncomingMessage } from 'node:http';
import type { HttpLimits } from '../types.js';
import type { ConnectionMemo } from './connection.js';

export type Lane = 'reads' | 'bodies';

/** A client's slots in flight in one lane (kept at 0 until the lane's table is swept). */
interface Held {
  n: number;
}

export interface Ticket {
  lane: Lane;
  client: string;
  held: Held | null;
}

export type AdmissionRefusal = { status: 429 | 503; code: string; message: string };

/** A lane's client table is swept of idle clients when it reaches this size (it never holds more). */
const CLIENTS_MAX = 1024;

class LaneSlots {
  inFlight = 0;
  /** Client -> its slots; an entry is the ticket's to decrement, so a release costs no lookup. */
  readonly byClient = new Map<string, Held>();
  /** Sweeps of `byClient` so far (a ticket remembered from before a sweep may name a dropped entry). */
  sweeps = 0;
  constructor(
    readonly max: number,
    readonly perClient: number,
  ) {}
}

const HEALTH: Ticket = Object.freeze({ lane: 'reads', client: '', held: null }) as Ticket;

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/** The client: its credential as sent, or its peer address (which never looks like a header value). */
function clientOf(req: IncomingMessage): string {
  const h = req.headers;
  const credential = h.authorization ?? h['x-apikey'];
  if (typeof credential === 'string' && credential !== '') return credential;
  return `[peer ${req.socket.remoteAddress ?? ''}]`;
}

export class Admission {
  readonly #lanes: Record<Lane, LaneSlots>;

  constructor(limits: Pick<HttpLimits, 'maxInFlight' | 'maxBodiesInFlight' | 'perClientShare'>) {
    const share = (max: number) => Math.max(1, Math.floor(max * limits.perClientShare));
    this.#lanes = {
      reads: new LaneSlots(limits.maxInFlight, share(limits.maxInFlight)),
      bodies: new LaneSlots(limits.maxBodiesInFlight, share(limits.maxBodiesInFlight)),
    };
  }

  /** Requests holding a slot, per lane. */
  get inFlight(): Record<Lane, number> {
    return { reads: this.#lanes.reads.inFlight, bodies: this.#lanes.bodies.inFlight };
  }

  /**
   * A slot for `req`, or why not. Release the ticket once the response has closed. With the memo of
   * `req`'s connection, a client that sends the credential of the connection's previous request reuses
   * its ticket (the same lane, client and entry) rather than finding its entry in the table again.
   */
  admit(req: IncomingMessage, path: string, memo?: ConnectionMemo): Ticket | AdmissionRefusal {
    if (path === '/api/health' && req.method === 'GET') return HEALTH;
    const lane: Lane = hasBody(req) ? 'bodies' : 'reads';
    const slots = lane === 'reads' ? this.#lanes.reads : this.#lanes.bodies;
    if (slots.inFlight >= slots.max) {
      return { status: 503, code: 'Overloaded', message: 'too many requests in flight; try again shortly' };
    }
    const client = clientOf(req);
    const remembered = memo?.ticket as Ticket | undefined;
    const reuse = remembered !== undefined && remembered.lane === lane && (memo as ConnectionMemo).sweeps === slots.sweeps && (memo as ConnectionMemo).credential === client;
    let held = reuse ? (remembered.held as Held) : slots.byClient.get(client);
    if (held && held.n >= slots.perClient) {
      const what = lane === 'bodies' ? 'requests with a body (uploads, posts)' : 'requests';
      return { status: 429, code: 'TooManyInFlight', message: `this client already has ${held.n} ${what} in flight; wait for one to finish` };
    }
    if (!held) {
      if (slots.byClient.size >= CLIENTS_MAX) {
        slots.sweeps++;
        for (const [c, h] of slots.byClient) if (h.n === 0) slots.byClient.delete(c);
      }
      held = { n: 0 };
      slots.byClient.set(client, held);
    }
    held.n++;
    slots.inFlight++;
    if (reuse) return remembered;
    const ticket: Ticket = { lane, client, held };
    if (memo) {
      memo.ticket = ticket;
      memo.credential = client;
      memo.sweeps = slots.sweeps;
    }
    return ticket;
  }

  release(ticket: Ticket): void {
    if (ticket === HEALTH || !ticket.held) return;
    this.#lanes[ticket.lane].inFlight--;
    ticket.held.n--;
  }

  /** Clients with a slot in flight, per lane, and all the clients the tables hold (idle ones until a sweep). */
  clients(): Record<Lane, { inFlight: number; tracked: number }> {
    const count = (slots: LaneSlots) => ({ inFlight: [...slots.byClient.values()].filter((h) => h.n > 0).length, tracked: slots.byClient.size });
    return { reads: count(this.#lanes.reads), bodies: count(this.#lanes.bodies) };
  }
}
