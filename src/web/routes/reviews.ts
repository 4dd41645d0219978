// The reviewers' pages: their campaigns, and one campaign's rows to answer — filtered, a page at a time,
// with a per-row "keep" and one decision (with its reason) applied to the ticked rows or to every row
// the filter matches. Plain forms: everything works without JavaScript, and from the keyboard.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { findCampaign, type Campaign } from '../../db/reviews.ts';
import { campaignsForReviewer, hasReviewRows, hasRowsIn, matchingRowIds, pageOfRows, type RowFilter } from '../../db/reviewRows.ts';
import { decideReviewRows } from '../../commands/reviews/decideRows.ts';
import { recordRefusal } from '../../commands/recordRefusal.ts';
import { AppError, forbidden, notFound } from '../../domain/errors.ts';
import { can } from '../../domain/policies.ts';
import type { Principal } from '../../domain/principal.ts';
import { requireAbility } from '../middleware/auth.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { parseId, render } from '../render.ts';

/** Rows a page: a form of this many rows stays well inside the body parser's field limit. */
export const REVIEW_PAGE_SIZE = 50;

const decisionForm = z.object({
  decision: z.enum(['keep', 'remove'], { message: 'reviews.errors.decision' }),
  reason: z.string().max(1000, 'reviews.errors.reasonTooLong').default(''),
  apply: z.enum(['checked', 'matching']).default('checked'),
});

interface PageQuery {
  q: string;
  undecided: boolean;
  page: number;
  /** An admin reading every row of the campaign (read-only), not only the rows they answer. */
  everyone: boolean;
}

function readQuery(src: Record<string, unknown>): PageQuery {
  const q = typeof src.q === 'string' ? src.q.slice(0, 200) : '';
  const undecided = src.undecided === '1';
  const page = typeof src.page === 'string' && /^\d{1,5}$/.test(src.page) ? Math.max(1, Number(src.page)) : 1;
  return { q, undecided, page, everyone: src.everyone === '1' };
}

/** The query string that keeps a page's filter (and page) across a decision. */
export function keepQuery(pq: PageQuery, withPage = true): string {
  const params = new URLSearchParams();
  if (pq.q) params.set('q', pq.q);
  if (pq.undecided) params.set('undecided', '1');
  if (pq.everyone) params.set('everyone', '1');
  if (withPage && pq.page > 1) params.set('page', String(pq.page));
  return params.toString();
}

const isAdmin = (p: Principal) => p.role === 'admin';

/** The navigation shows "Access reviews" to the members who have rows in a campaign. */
export function reviewNavLocals(deps: Deps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const p = principalOf(req);
    if (req.method === 'GET' && p && p.idpKind === 'home' && p.userType === 'member' && p.userId) {
      res.locals.hasReviews = await hasReviewRows(deps.db, p.userId, isAdmin(p));
    }
    next();
  };
}

export function reviewRoutes(deps: Deps): Router {
  const r = Router();
  const { db } = deps;
  const listing = requireAbility(db, 'review:list');

  r.get('/reviews', listing, async (req, res) => {
    const p = principalOf(req)!;
    render(req, res, 'reviews/list', { title: 'reviews.mine.title', campaigns: await campaignsForReviewer(db, p.userId!, isAdmin(p)) });
  });

  /** The campaign, once this person may read it (its reviewers, and admins); a refusal is audited. */
  async function readable(req: Request, id: number | null): Promise<Campaign> {
    const p = principalOf(req)!;
    const campaign = id ? await findCampaign(db, id) : undefined;
    if (!campaign) throw notFound();
    const isReviewer = await hasRowsIn(db, campaign.id, p.userId!, isAdmin(p));
    if (!can(p, 'review:read', { isReviewer })) {
      await recordRefusal(db, auditContext(req), 'review.view', `review:${campaign.id}`, 'not a reviewer of this campaign');
      throw forbidden('reviews.errors.notReviewer');
    }
    return campaign;
  }

  const filterOf = (p: Principal, pq: PageQuery): RowFilter => ({ reviewer: pq.everyone && isAdmin(p) ? null : { userId: p.userId!, isAdmin: isAdmin(p) }, q: pq.q, undecidedOnly: pq.undecided });

  async function showPage(req: Request, res: Response, campaign: Campaign, pq: PageQuery, extra: Record<string, unknown> = {}, status = 200) {
    const p = principalOf(req)!;
    const filter = filterOf(p, pq);
    let { rows, total } = await pageOfRows(db, campaign.id, filter, pq.page, REVIEW_PAGE_SIZE);
    const pages = Math.max(1, Math.ceil(total / REVIEW_PAGE_SIZE));
    if (pq.page > pages) {
      pq = { ...pq, page: pages };
      ({ rows, total } = await pageOfRows(db, campaign.id, filter, pq.page, REVIEW_PAGE_SIZE));
    }
    const decided = typeof req.query.decided === 'string' && /^\d{1,6}$/.test(req.query.decided) ? Number(req.query.decided) : null;
    render(
      req,
      res,
      'reviews/campaign',
      {
        title: 'reviews.page.title',
        titleParams: { name: campaign.name },
        campaign,
        rows,
        total,
        pages,
        pq,
        keep: keepQuery(pq),
        keepFilter: keepQuery(pq, false),
        // Every row, for an admin, is for reading: answers are given on the rows one answers.
        everyone: pq.everyone && isAdmin(p),
        open: campaign.status === 'open' && !(pq.everyone && isAdmin(p)),
        // "Tick every row on this page" without JavaScript: the page again, its boxes ticked.
        allTicked: req.query.all === '1',
        checked: [] as string[],
        notice: decided !== null ? { key: 'reviews.decided', params: { count: decided } } : null,
        ...extra,
      },
      status,
    );
  }

  r.get('/reviews/:id', listing, async (req, res) => {
    const campaign = await readable(req, parseId(req.params.id));
    await showPage(req, res, campaign, readQuery(req.query as Record<string, unknown>));
  });

  r.post('/reviews/:id/decisions', listing, csrfProtection, async (req, res) => {
    const p = principalOf(req)!;
    const campaign = await readable(req, parseId(req.params.id));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const pq = { ...readQuery(body), everyone: false };
    const checked = ([] as unknown[]).concat(body.rows ?? []).filter((v): v is string => typeof v === 'string').slice(0, 1000);
    const values = { decision: typeof body.decision === 'string' ? body.decision : '', reason: typeof body.reason === 'string' ? body.reason.slice(0, 2000) : '', apply: body.apply === 'matching' ? 'matching' : 'checked' };
    const who = { userId: p.userId!, isAdmin: isAdmin(p) };
    try {
      let n: number;
      const single = parseId(body.keepRow);
      if (single) {
        n = await decideReviewRows(deps, auditContext(req), campaign.id, who, [single], 'keep', '');
      } else {
        const parsed = decisionForm.safeParse(values);
        if (!parsed.success) {
          const fields: Record<string, string> = {};
          for (const issue of parsed.error.issues) fields[String(issue.path[0])] ??= issue.message.startsWith('reviews.') ? issue.message : 'errors.invalidForm';
          throw new AppError(400, 'invalid', 'errors.invalidForm', fields);
        }
        const ids =
          parsed.data.apply === 'matching' ? await matchingRowIds(db, campaign.id, filterOf(p, pq)) : checked.map((v) => parseId(v)).filter((v): v is number => v !== null);
        n = await decideReviewRows(deps, auditContext(req), campaign.id, who, ids, parsed.data.decision, parsed.data.reason);
      }
      const q = keepQuery(pq);
      res.redirect(303, `/reviews/${campaign.id}?${q ? `${q}&` : ''}decided=${n}#results`);
    } catch (err) {
      // A form that cannot be recorded comes back as it was sent: the same rows ticked, the same reason.
      if (err instanceof AppError && err.status === 400) {
        return showPage(req, res, campaign, pq, { values, checked, fields: err.fields, notice: { key: 'errors.invalidForm' } }, 400);
      }
      throw err;
    }
  });
  return r;
}
