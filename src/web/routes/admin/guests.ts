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

type Action = (deps: Deps, req: Request, guestId: number) => Promise<string>;

const ACTIONS: Record<string, Action> = {
  'sponsors/add': async (deps, req, id) => (await guests.addSponsor(deps, auditContext(req), id, parseId(req.body?.sponsor) ?? 0), 'guests.sponsorAdded'),
  'sponsors/remove': async (deps, req, id) => (await guests.removeSponsor(deps, auditContext(req), id, parseId(req.body?.sponsor) ?? 0), 'guests.sponsorRemoved'),
  'memberships/add': async (deps, req, id) => (await guests.addMembership(deps, auditContext(req), id, parseId(req.body?.item) ?? 0, principalOf(req)!.userId), 'guests.membershipAdded'),
  'memberships/remove': async (deps, req, id) => (await guests.removeMembership(deps, auditContext(req), id, parseId(req.body?.item) ?? 0), 'guests.membershipRemoved'),
  resend: async (deps, req, id) => (await guests.resendInvitation(deps, auditContext(req), id), 'guests.resent'),
  reset: async (deps, req, id) => (await guests.resetRedemption(deps, auditContext(req), id, principalOf(req)!.userId, principalOf(req)!.name), 'guests.reset'),
  disable: async (deps, req, id) => (await guests.setGuestState(deps, auditContext(req), id, 'disabled'), 'guests.disabledDone'),
  enable: async (deps, req, id) => (await guests.setGuestState(deps, auditContext(req), id, 'active'), 'guests.enabledDone'),
  remove: async (deps, req, id) => (await guests.removeGuest(deps, auditContext(req), id), 'guests.removedDone'),
};

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
    const done = typeof req.query.done === 'string' && req.query.done.startsWith('guests.') ? req.query.done : null;
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
    const action = ACTIONS[([] as string[]).concat((req.params as { action: string | string[] }).action).join('/')];
    if (!id || !action) throw notFound();
    const done = await action(deps, req, id);
    res.redirect(303, `/admin/guests/${id}?done=${done}`);
  });
  return r;
}
