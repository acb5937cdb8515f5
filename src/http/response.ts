/**
 * The server's response class. What the server keeps per request (its in-flight ticket, the fast
 * path's request signal) lives in declared fields, so every response has the same shape: adding
 * properties to node's own ServerResponse objects per request made node's http code polymorphic.
 */
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Ticket } from './middleware/admission.js';
import type { RequestSignal } from './middleware/deadlines.js';

export class GatewayResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  /** The in-flight slot this request holds (released when the response closes). */
  ticket: Ticket | undefined = undefined;
  /** Aborted when the client goes away before a fast-path answer is written. */
  watched: RequestSignal | undefined = undefined;
}
