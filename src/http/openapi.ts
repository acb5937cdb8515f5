/** The OpenAPI 3.1 document, generated from the route table (the same zod schemas that validate requests). */
import { z } from 'zod';
import { familyOf, type RouteDef } from './route.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete out.$schema;
  return out;
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = schemaOf(schema);
  const props = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

function requestBodyOf(r: RouteDef): JsonSchema | undefined {
  const body = r.body;
  if (!body) return undefined;
  if (body.type === 'json') return { required: true, content: { 'application/json': { schema: schemaOf(body.schema) } } };
  if (body.type === 'form') {
    const s = schemaOf(body.schema);
    return {
      required: true,
      content: { 'application/x-www-form-urlencoded': { schema: s }, 'multipart/form-data': { schema: s }, 'application/json': { schema: s } },
    };
  }
  if (body.type === 'batch') {
    return {
      required: true,
      content: {
        'application/json': { schema: schemaOf(body.schema) },
        'text/plain': { schema: { type: 'string', description: 'one indicator per line; # comments and blank lines are skipped' } },
      },
    };
  }
  const fields = schemaOf(body.fields);
  const props = { ...((fields.properties ?? {}) as Record<string, JsonSchema>), file: { type: 'string', format: 'binary' } };
  return { required: true, content: { 'multipart/form-data': { schema: { ...fields, properties: props, required: ['file'] } } } };
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
};

export function buildOpenApi(routes: readonly RouteDef[], info: { version: string; mock: boolean }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of routes) {
    const family = familyOf(r.path);
    const errorRef = { $ref: '#/components/schemas/Error' };
    const errors: Record<string, JsonSchema> = {};
    const add = (status: number, description: string) => {
      errors[String(status)] = { description, content: { 'application/json': { schema: errorRef } } };
    };
    add(400, 'Bad request (the body names the problem)');
    if (r.access !== 'public') {
      add(401, family === 'v3' ? 'AuthenticationRequiredError / WrongCredentialsError' : 'No token, or an unknown one');
      if (r.access !== 'health') add(403, `Needs the ${r.access} role`);
    }
    for (const [status, description] of Object.entries(r.responses ?? {})) add(Number(status), description);
    const produces = r.produces ?? 'application/json';
    const op: JsonSchema = {
      operationId: `${r.method}${r.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      parameters: [...parametersOf(r.params, 'path'), ...parametersOf(r.query, 'query')],
      responses: { [String(r.status ?? 200)]: { description: 'Success', content: { [produces]: {} } }, ...errors },
      security: r.access === 'public' ? [] : family === 'v3' ? [{ apiKey: [] }] : [{ bearer: [] }, { apiKey: [] }],
    };
    const body = requestBodyOf(r);
    if (body) op.requestBody = body;
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, JsonSchema>)[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'vt-gateway',
      version: info.version,
      description:
        'Quota-aware VirusTotal gateway: one cache and one quota for every client. /api is the gateway API; /api/v3 is VirusTotal-compatible ' +
        '(point vt-py or vt-cli at this server with a gateway token as the API key).' +
        (info.mock ? ' This instance runs on the built-in simulator (mock mode): verdicts are simulated.' : ''),
    },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A gateway token (vtg_...)' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-apikey', description: 'A gateway token, as VirusTotal clients send their key' },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}
