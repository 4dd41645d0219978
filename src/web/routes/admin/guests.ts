import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../../deps.ts';
import { findGuest, searchGuests } from '../../../db/guests.ts';
import { latestInvitation } from '../../../db/invitations.ts';
import { listAllItems } from '../../../db/catalog.ts';
import { listMembers } from '../../../db/users.ts';
import { addSponsor } from '../../../commands/admin/guests/addSponsor.ts';
import { removeSponsor } from '../../../commands/admin/guests/removeSponsor.ts';
import { addMembership } from '../../../commands/admin/guests/addMembership.ts';
import { removeMembership } from '../../../commands/admin/guests/removeMembership.ts';
import { resendInvitation } from '../../../commands/admin/guests/resendInvitation.ts';
import { resetRedemption } from '../../../commands/admin/guests/resetRedemption.ts';
import { disableGuest } from '../../../commands/admin/guests/disableGuest.ts';
import { enableGuest } from '../../../commands/admin/guests/enableGuest.ts';
import { removeGuest } from '../../../commands/admin/guests/removeGuest.ts';
import { notFound } from '../../../domain/errors.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext, principalOf } from '../../middleware/requestContext.ts';
import { parseId, render } from '../../render.ts';

/** What an action does, and the notice the guest page shows after it. */
type Action = { run: (deps: Deps, req: Request, guestId: number) => Promise<unknown>; done: string };

// A Map, not an object literal: the action comes from the URL, and an object would also answer to
// `constructor`, `__proto__`, `valueOf`... with what its prototype holds.
const ACTIONS = new Map<string, Action>([
  ['sponsors/add', { run: (deps, req, id) => addSponsor(deps, auditContext(req), id, parseId(req.body?.sponsor) ?? 0), done: 'guests.sponsorAdded' }],
  ['sponsors/remove', { run: (deps, req, id) => removeSponsor(deps, auditContext(req), id, parseId(req.body?.sponsor) ?? 0), done: 'guests.sponsorRemoved' }],
  ['memberships/add', { run: (deps, req, id) => addMembership(deps, auditContext(req), id, parseId(req.body?.item) ?? 0, principalOf(req)!.userId), done: 'guests.membershipAdded' }],
  ['memberships/remove', { run: (deps, req, id) => removeMembership(deps, auditContext(req), id, parseId(req.body?.item) ?? 0), done: 'guests.membershipRemoved' }],
  ['resend', { run: (deps, req, id) => resendInvitation(deps, auditContext(req), id), done: 'guests.resent' }],
  ['reset', { run: (deps, req, id) => resetRedemption(deps, auditContext(req), id, principalOf(req)!.userId, principalOf(req)!.name), done: 'guests.reset' }],
  ['disable', { run: (deps, req, id) => disableGuest(deps, auditContext(req), id), done: 'guests.disabledDone' }],
  ['enable', { run: (deps, req, id) => enableGuest(deps, auditContext(req), id), done: 'guests.enabledDone' }],
  ['remove', { run: (deps, req, id) => removeGuest(deps, auditContext(req), id), done: 'guests.removedDone' }],
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
