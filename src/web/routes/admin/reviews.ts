// Administration → Access reviews: the campaigns (open, scheduled, closed: history is kept), starting
// one, its progress per reviewer, reminding the slow ones, and its result as CSV. Everything under
// /admin already needs the admin ability (admin/index.ts).
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { listAllItems } from '../../../db/catalog.ts';
import { listOrganizations } from '../../../db/organizations.ts';
import { findCampaign, listCampaigns, nextInstanceOf } from '../../../db/reviews.ts';
import { allRows, outcomeCounts, progressByReviewer } from '../../../db/reviewRows.ts';
import { startCampaign } from '../../../commands/reviews/startCampaign.ts';
import { remindReviewers } from '../../../commands/reviews/remindReviewers.ts';
import { recordReviewExport } from '../../../commands/reviews/recordExport.ts';
import { AppError, notFound } from '../../../domain/errors.ts';
import { now } from '../../../domain/clock.ts';
import { reviewCsvHeader, reviewCsvLine } from '../../../domain/reviewExport.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext, principalOf } from '../../middleware/requestContext.ts';
import { parseId, render } from '../../render.ts';

const PAGE = 25;

const campaignForm = z.object({
  name: z.string().trim().min(1, 'reviews.errors.name').max(200, 'reviews.errors.name'),
  scope: z.enum(['all', 'organization', 'item']),
  organization: z.string().optional(),
  item: z.string().optional(),
  deadline: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'reviews.errors.deadline'),
  defaultDecision: z.enum(['keep', 'remove']),
  recurrence: z.enum(['', '3', '6', '12']).default(''),
});

const DAY = 86_400_000;

export function reviewAdminRoutes(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  r.get('/admin/reviews', async (req, res) => {
    const page = Math.min(Math.max(Number(req.query.page) || 1, 1), 10_000);
    const list = await listCampaigns(db, page, PAGE);
    render(req, res, 'admin/reviews/list', { title: 'reviews.admin.title', page, ...list });
  });

  const showForm = async (req: Request, res: Response, values: Record<string, string>, fields: Record<string, string> = {}, status = 200) => {
    render(
      req,
      res,
      'admin/reviews/new',
      {
        title: 'reviews.new.title',
        organizations: await listOrganizations(db),
        items: await listAllItems(db),
        values,
        fields,
        minDeadline: new Date(now() + DAY).toISOString().slice(0, 10),
        notice: Object.keys(fields).length ? { key: 'errors.invalidForm' } : null,
      },
      status,
    );
  };

  r.get('/admin/reviews/new', (req, res) =>
    showForm(req, res, { scope: 'all', defaultDecision: 'keep', recurrence: '', deadline: new Date(now() + 14 * DAY).toISOString().slice(0, 10) }),
  );

  r.post('/admin/reviews', csrfProtection, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(['name', 'scope', 'organization', 'item', 'deadline', 'defaultDecision', 'recurrence'].map((k) => [k, typeof body[k] === 'string' ? String(body[k]).slice(0, 300) : '']));
    const parsed = campaignForm.safeParse(values);
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const f = String(issue.path[0]);
        fields[f] ??= issue.message.startsWith('reviews.') ? issue.message : 'errors.invalidForm';
      }
      return showForm(req, res, values, fields, 400);
    }
    const v = parsed.data;
    const scopeId = v.scope === 'organization' ? parseId(v.organization) : v.scope === 'item' ? parseId(v.item) : null;
    try {
      const { id, rows, existing } = await startCampaign(
        deps,
        auditContext(req),
        {
          name: v.name,
          scope: v.scope,
          scopeId,
          recurrenceMonths: v.recurrence ? (Number(v.recurrence) as 3 | 6 | 12) : null,
          deadlineAt: `${v.deadline}T23:59:59.999Z`,
          defaultDecision: v.defaultDecision,
        },
        principalOf(req)!.userId!,
      );
      res.redirect(303, existing ? `/admin/reviews/${id}?already=1` : `/admin/reviews/${id}?started=${rows}`);
    } catch (err) {
      if (err instanceof AppError && err.status === 400) return showForm(req, res, values, err.fields, 400);
      throw err;
    }
  });

  r.get('/admin/reviews/:id', async (req, res) => {
    const campaign = await findCampaign(db, parseId(req.params.id) ?? 0);
    if (!campaign) throw notFound();
    const started = typeof req.query.started === 'string' && /^\d{1,6}$/.test(req.query.started) ? Number(req.query.started) : null;
    const reminded = typeof req.query.reminded === 'string' && /^\d{1,6}$/.test(req.query.reminded) ? Number(req.query.reminded) : null;
    render(req, res, 'admin/reviews/detail', {
      title: 'reviews.detail.title',
      titleParams: { name: campaign.name },
      campaign,
      progress: await progressByReviewer(db, campaign.id),
      outcome: campaign.status === 'closed' ? await outcomeCounts(db, campaign.id) : null,
      next: await nextInstanceOf(db, campaign.id),
      notice:
        started !== null
          ? { key: 'reviews.started', params: { count: started } }
          : reminded !== null
            ? { key: 'reviews.detail.reminded', params: { count: reminded } }
            : req.query.already === '1'
              ? { key: 'lifecycleFixes.reviews.alreadyOpen' }
              : null,
    });
  });

  r.post('/admin/reviews/:id/remind', csrfProtection, async (req, res) => {
    const id = parseId(req.params.id);
    if (!id) throw notFound();
    const seen = typeof req.body?.seen === 'string' && /^\d{1,6}$/.test(req.body.seen) ? Number(req.body.seen) : -1;
    const n = await remindReviewers(deps, auditContext(req), id, seen);
    res.redirect(303, `/admin/reviews/${id}?reminded=${n}`);
  });

  r.get('/admin/reviews/:id/export.csv', async (req, res) => {
    const campaign = await findCampaign(db, parseId(req.params.id) ?? 0);
    if (!campaign) throw notFound();
    const total = (await progressByReviewer(db, campaign.id)).reduce((n, p) => n + p.total, 0);
    await recordReviewExport(db, auditContext(req), campaign.id, total);
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="passerelle-review-${campaign.id}.csv"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.write(reviewCsvHeader());
    let after = 0;
    for (;;) {
      const rows = await allRows(db, campaign.id, after, 500);
      if (!rows.length) break;
      res.write(rows.map((row) => reviewCsvLine(campaign, row)).join(''));
      after = rows[rows.length - 1].id;
    }
    res.end();
  });
  return r;
}
