/**
 * What the previous request on a keep-alive connection established, for the next one to reuse when it
 * sends the same header values: the admitted Host, the admission ticket of its credential, the token's
 * verified caller and what its path names. A client sends the same values on every request of a
 * connection, and comparing a string with the one remembered costs far less than hashing it into a map
 * (each of those strings is new on every request, so each map read hashed it again).
 *
 * Each field is only a shortcut to what the full check would answer now: the Host and the path are
 * judged by fixed rules, a ticket is reused only while its client's entry is still in the admission
 * table, and a caller only while its verification is (the same one-second life, and any token created
 * or revoked through this server ends it at once: see `auth.ts`).
 */
import type { Socket } from 'node:net';

export class ConnectionMemo {
  /** A Host header value the host policy admitted. */
  host: string | undefined = undefined;
  /** The credential (Authorization or X-Apikey value) the ticket was taken for, and the ticket. */
  credential: string | undefined = undefined;
  ticket: object | undefined = undefined;
  /** The admission table's sweep count when the ticket was taken (a sweep may drop its entry). */
  sweeps = 0;
  /** The Authorization value the verification was for, and the verification (see `auth.ts`). */
  authorization: string | undefined = undefined;
  verified: object | undefined = undefined;
  /** Tokens' change count (`tokensChanged`) when the verification was remembered. */
  tokensVersion = 0;
  /** A lookup path and what it names (see `fast-lookup.ts`). */
  path: string | undefined = undefined;
  target: object | undefined = undefined;
}

const memos = new WeakMap<Socket, ConnectionMemo>();

/** The memo of `socket`'s connection (made on its first request; it goes with the socket). */
export function connectionMemo(socket: Socket): ConnectionMemo {
  let memo = memos.get(socket);
  if (memo === undefined) {
    memo = new ConnectionMemo();
    memos.set(socket, memo);
  }
  return memo;
}
