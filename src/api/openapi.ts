// The OpenAPI 3.1 document, generated from the same endpoint descriptions (and zod schemas) that
// the router validates with.
import { z } from 'zod';
import type { Endpoint } from './endpoint.ts';
import { SCOPES } from '../domain/scopes.ts';

type Json = Record<string, unknown>;

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'innerError'],
      properties: {
        code: { type: 'string', examples: ['Request_BadRequest'] },
        message: { type: 'string' },
        innerError: {
          type: 'object',
          properties: { 'request-id': { type: 'string' }, date: { type: 'string' } },
        },
      },
    },
  },
};

const ERRORS: Record<number, string> = {
  400: 'Malformed: the message names the field and why.',
  401: 'No token, or an unknown or revoked one.',
  403: 'The token lacks the scope this call (or an option of it, such as resetRedemption) needs.',
  404: 'No such resource.',
  409: 'The resource changed in the meantime or its state forbids the call (for example, a request already decided, a disabled guest’s redemption).',
  429: 'Too many calls; retry after the number of seconds in Retry-After.',
};

/** A zod schema as JSON Schema 2020-12; named schemas go to components and are referenced. */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, Json>): Json {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12', reused: 'inline' });
  // Refs are rewritten before the definitions are moved: a definition refers to others too (a
  // collection to its item), and "#/$defs/…" resolves nowhere once it sits in components.
  const out = JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
  const defs = (out.$defs ?? {}) as Record<string, Json>;
  delete out.$defs;
  delete out.$schema;
  for (const [name, def] of Object.entries(defs)) components[name] = def;
  // A named top-level schema is stored once and referenced.
  if (typeof out.id === 'string') {
    const name = out.id;
    delete out.id;
    components[name] = out;
    return { $ref: `#/components/schemas/${name}` };
  }
  return out;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query', components: Record<string, Json>): Json[] {
  if (!schema) return [];
  const shape = (schema as z.ZodObject).shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, field]) => {
    const s = toSchema(field, 'input', components);
    const description = s.description;
    delete s.description;
    return { name, in: where, required: where === 'path' || !field.safeParse(undefined).success, ...(description ? { description } : {}), schema: s };
  });
}

export const openApiPath = (path: string) => `/v1.0${path}`;

export function openApiDocument(endpoints: Endpoint[], publicUrl: string): Json {
  const components: Record<string, Json> = { error: errorSchema };
  const paths: Record<string, Record<string, Json>> = {};
  for (const e of endpoints) {
    const responses: Record<string, Json> = {};
    for (const [status, r] of Object.entries(e.responses)) {
      responses[status] = { description: r.description, ...(r.schema ? { content: { 'application/json': { schema: toSchema(r.schema, 'output', components) } } } : {}) };
    }
    for (const [status, description] of Object.entries(ERRORS)) {
      if (status === '409' && e.method === 'get') continue;
      responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/error' } } } };
    }
    const op: Json = {
      operationId: e.operationId,
      summary: e.summary,
      ...(e.description ? { description: e.description } : {}),
      tags: [e.tag],
      security: [{ bearer: e.scopes }],
      'x-scopes': e.scopes,
      parameters: [...parameters(e.params, 'path', components), ...parameters(e.query, 'query', components)],
      ...(e.body
        ? {
            requestBody: {
              required: !e.body.safeParse(undefined).success,
              content: { 'application/json': { schema: toSchema(e.body, 'input', components) } },
            },
          }
        : {}),
      responses,
    };
    (paths[openApiPath(e.path)] ??= {})[e.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Passerelle API',
      version: '1.0',
      description:
        'Shaped like Microsoft Graph v1.0 (invitations, users, groups, applications, directory audits), so Graph clients work by changing the base URL and the token. Tokens are created by admins (Administration → API clients, or `passerelle api-client create`).',
    },
    servers: [{ url: publicUrl }],
    tags: [...new Set(endpoints.map((e) => e.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: `An API client token. Scopes: ${Object.entries(SCOPES).map(([s, d]) => `${s} (${d})`).join('; ')}.`,
        },
      },
    },
  };
}
