import { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { listAudit } from '../../../db/audit.ts';
import { requireAbility } from '../../middleware/auth.ts';
import { render } from '../../render.ts';

const auditQuery = z.object({
  actor: z.string().trim().max(320).optional().transform((v) => v || undefined),
  action: z.string().trim().max(100).optional().transform((v) => v || undefined),
  target: z.string().trim().max(200).optional().transform((v) => v || undefined),
  before: z.string().regex(/^\d{1,15}$/).transform(Number).optional(),
});

export function auditRoutes(deps: Deps): Router {
  const r = Router();
  r.get('/admin/audit', requireAbility(deps.db, 'audit:read'), async (req, res) => {
    const parsed = auditQuery.safeParse(req.query);
    const filter = parsed.success ? parsed.data : {};
    const page = await listAudit(deps.db, { ...filter, limit: 50 });
    const keep = new URLSearchParams(Object.entries(filter).filter(([k, v]) => k !== 'before' && v !== undefined) as [string, string][]);
    render(req, res, 'admin/audit', { title: 'audit.title', filter, rows: page.rows, nextBefore: page.nextBefore, keep: keep.toString() });
  });
  return r;
}
