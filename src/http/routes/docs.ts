/** The OpenAPI document and its human-readable page (the dashboard at `/` lives in ../dashboard/). */
import { buildOpenApi } from '../openapi.js';
import { docsPage } from '../pages/docs.js';
import { type RouteDef, route } from '../route.js';

const HTML = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };

/** Routes that describe the others: `all` is the full table, these included. */
export function docsRoutes(all: () => readonly RouteDef[]): RouteDef[] {
  let doc: Record<string, unknown> | undefined;
  let html: string | undefined;
  return [
    route({
      method: 'get',
      path: '/api/openapi.json',
      summary: 'This OpenAPI 3.1 document',
      tag: 'documentation',
      access: 'public',
      handler: ({ c, deps }) => {
        doc ??= buildOpenApi(all(), { version: deps.gateway.version, mock: deps.gateway.mock });
        return c.json(doc);
      },
    }),
    route({
      method: 'get',
      path: '/api/docs',
      summary: 'The routes of the OpenAPI document as a page',
      tag: 'documentation',
      access: 'public',
      produces: 'text/html',
      handler: ({ c, deps }) => {
        doc ??= buildOpenApi(all(), { version: deps.gateway.version, mock: deps.gateway.mock });
        html ??= docsPage(doc, { mock: deps.gateway.mock });
        return c.body(html, 200, HTML);
      },
    }),
  ];
}
