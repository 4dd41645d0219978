// One API operation, described once: its path, scope, the zod schemas that validate its input, and
// its responses. The Express router and the OpenAPI document are both built from these descriptions,
// so the document cannot drift from what the server accepts.
import type { Request } from 'express';
import type { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { AuditContext } from '../db/audit.ts';
import type { ApiClient } from '../db/apiClients.ts';
import type { Scope } from '../domain/scopes.ts';

export interface ApiCall<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  client: ApiClient;
  ctx: AuditContext;
  deps: Deps;
  /** The public base of the API, e.g. https://portal.example/v1.0 (links in responses use it). */
  base: string;
  req: Request;
}

export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Endpoint {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI form, relative to /v1.0: /groups/{id}/members */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Any one of these scopes allows the call. */
  scopes: Scope[];
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handle(call: ApiCall<any, any, any>): Promise<ApiResult>;
}

/** Keeps each handler typed by its own schemas. */
export function endpoint<P extends z.ZodType = z.ZodType<object>, Q extends z.ZodType = z.ZodType<object>, B extends z.ZodType = z.ZodType<undefined>>(
  e: Omit<Endpoint, 'handle' | 'params' | 'query' | 'body'> & {
    params?: P;
    query?: Q;
    body?: B;
    handle(call: ApiCall<z.output<P>, z.output<Q>, z.output<B>>): Promise<ApiResult>;
  },
): Endpoint {
  return e as Endpoint;
}
