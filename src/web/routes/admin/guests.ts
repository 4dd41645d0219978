import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../../deps.ts';
import { findGuest, latestInvitation, searchGuests } from '../../../db/guests.ts';
import { listAllItems } from '../../../db/catalog.ts';
import { listMembers } from '../../../db/users.ts';
import * as guests from '../../../commands/admin/guests.ts';
import { notFound } from '../../../domain/errors.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext, principalOf } from '../../middleware/requestContext.ts';
import { parseId, render } from '../../render.ts';

/** What an action does, and the notice the guest page shows after it. */
type Action = { run: (deps: Deps, req: Request, guestId: number) => Promise<unknown>; done: string };

// A Map, not an object literal: the action comes from the URL, and an object would also answer to
// `constructor`, `__proto__`, `valueOf`... with what its prototype holds.
const ACTIONS = new Map<string, Action>([
  ['sponsors/add', { run: (deps, req, id) => guests.addSponsor(deps, auditContext(req), id, parseId(req.body?.sponsor) ?? 0), done: 'guests.sponsorAdded' }],
  ['sponsors/remove', { run: (deps, req, id) => guests.removeSponsor(deps, auditContext(req), id, parseId(req.body?.sponsor) ?? 0), done: 'guests.sponsorRemoved' }],
  ['memberships/add', { run: (deps, req, id) => guests.addMembership(deps, auditContext(req), id, parseId(req.body?.item) ?? 0, principalOf(req)!.userId), done: 'guests.membershipAdded' }],
  ['memberships/remove', { run: (deps, req, id) => guests.removeMembership(deps, auditContext(req), id, parseId(req.body?.item) ?? 0), done: 'guests.membershipRemoved' }],
  ['resend', { run: (deps, req, id) => guests.resendInvitation(deps, auditContext(req), id), done: 'guests.resent' }],
  ['reset', { run: (deps, req, id) => guests.resetRedemption(deps, auditContext(req), id, principalOf(req)!.userId, principalOf(req)!.name), done: 'guests.reset' }],
  ['disable', { run: (deps, req, id) => guests.setGuestState(deps, auditContext(req), id, 'disabled'), done: 'guests.disabledDone' }],
  ['enable', { run: (deps, req, id) => guests.setGuestState(deps, auditContext(req), id, 'active'), done: 'guests.enabledDone' }],
  ['remove', { run: (deps, req, id) => guests.removeGuest(deps, auditContext(req), id), done: 'guests.removedDone' }],
]);

/** The notices the page shows for `?done=`: only those of the actions above, never text from the URL. */
const DONE = new Set([...ACTIONS.values()].map((a) => a.done));

export function guestRoutes(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  r.get('/admin/guests', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const page = Math.min(Math.max(Number(req.query.page) || 1, 1), 10_000);
    const result = await searchGuests(db, q, page);
    render(req, res, 'admin/guests/list', { title: 'guests.title', q, page, ...result });
  });

  r.get('/admin/guests/:id', async (req, res) => {
    const guest = await findGuest(db, parseId(req.params.id) ?? 0);
    if (!guest) throw notFound();
    const done = typeof req.query.done === 'string' && DONE.has(req.query.done) ? req.query.done : null;
    render(req, res, 'admin/guests/detail', {
      title: 'guests.detailTitle',
      titleParams: { name: guest.display_name },
      guest,
      invitation: await latestInvitation(db, guest.id),
      members: await listMembers(db),
      items: await listAllItems(db),
      notice: done ? { key: done } : null,
    });
  });

  r.post('/admin/guests/:id/*action', csrfProtection, async (req: Request, res: Response) => {
    const id = parseId(req.params.id);
    const action = ACTIONS.get(([] as string[]).concat((req.params as { action: string | string[] }).action).join('/'));
    if (!id || !action) throw notFound();
    await action.run(deps, req, id);
    res.redirect(303, `/admin/guests/${id}?done=${action.done}`);
  });
  return r;
}
