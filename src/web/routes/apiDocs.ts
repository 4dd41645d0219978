// The API reference: a readable page made from the same OpenAPI document programs read.
import { Router } from 'express';
import type { Deps } from '../../deps.ts';
import { ENDPOINTS } from '../../api/router.ts';
import { openApiDocument } from '../../api/openapi.ts';
import { SCOPES } from '../../domain/scopes.ts';
import { render } from '../render.ts';

export function apiDocsRoutes(deps: Deps): Router {
  const r = Router();
  const doc = openApiDocument(ENDPOINTS, deps.config.publicUrl) as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components: { schemas: Record<string, unknown> };
  };
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
  r.get('/docs/api', (req, res) => {
    render(req, res, 'api/reference', {
      title: 'apiDocs.title',
      base: `${deps.config.publicUrl}/v1.0`,
      operations,
      schemas: doc.components.schemas,
      scopes: SCOPES,
    });
  });
  return r;
}
