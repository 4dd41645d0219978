// "My groups and apps": owners of self-service items manage their guests — and nothing else.
import { Router, type Request } from 'express';
import type { Deps } from '../../deps.ts';
import { findItem, isSelfServiceOwner, selfServiceItemsOwnedBy } from '../../db/catalog.ts';
import { guestsOfItem } from '../../db/guests.ts';
import { hasMembership } from '../../db/memberships.ts';
import { listPendingForApprover } from '../../db/requests.ts';
import { namedByRuleNow } from '../../commands/routeToApprovers.ts';
import { removeMembership } from '../../commands/admin/guests/removeMembership.ts';
import { resendInvitation } from '../../commands/admin/guests/resendInvitation.ts';
import { latestInvitation } from '../../db/invitations.ts';
import { recordRefusal } from '../../commands/recordRefusal.ts';
import { forbidden, notFound } from '../../domain/errors.ts';
import { can } from '../../domain/policies.ts';
import { requireAbility } from '../middleware/auth.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { auditContext, principalOf } from '../middleware/requestContext.ts';
import { parseId, render } from '../render.ts';
import { nowIso } from '../../domain/clock.ts';

export function ownerRoutes(deps: Deps): Router {
  const r = Router();
  const { db } = deps;
  const members = requireAbility(db, 'owner:console');

  /** The item, if this principal may manage it; refusals are audited. */
  async function managedItem(req: Request) {
    const item = await findItem(db, parseId(req.params.id) ?? 0);
    if (!item) throw notFound();
    const p = principalOf(req)!;
    const ownsItem = await isSelfServiceOwner(db, p.userId!, item.id);
    if (!can(p, 'item:manage', { ownsItem })) {
      await recordRefusal(db, auditContext(req), 'item.manage', `item:${item.id}`, 'not an owner of this self-service item');
      throw forbidden();
    }
    return item;
  }

  r.get('/owner', members, async (req, res) => {
    const p = principalOf(req)!;
    const items = await selfServiceItemsOwnedBy(db, p.userId!);
    const counts = new Map(await Promise.all(items.map(async (i) => [i.id, (await guestsOfItem(db, i.id)).length] as const)));
    // Counted as the inbox lists them: only requests this member still decides.
    const routed = (await listPendingForApprover(db, p.userId!, { limit: 200 })).rows;
    render(req, res, 'owner/index', { title: 'owner.title', items, counts, pending: (await namedByRuleNow(db, p.userId!, routed)).size });
  });

  r.get('/owner/items/:id', members, async (req, res) => {
    const item = await managedItem(req);
    const done = req.query.removed ? { key: 'owner.removed' } : req.query.resent ? { key: 'invitationExpiry.owner.resent' } : null;
    const guests = await guestsOfItem(db, item.id);
    // Guests whose invitation expired unused: the owner may send them a fresh one.
    const expiredInvitations: number[] = [];
    const stamp = nowIso();
    for (const g of guests) {
      if (g.state !== 'invited') continue;
      const inv = await latestInvitation(db, g.id);
      if (inv && (inv.status === 'expired' || (inv.status === 'pending' && new Date(inv.expires_at).toISOString() <= stamp))) expiredInvitations.push(Number(g.id));
    }
    render(req, res, 'owner/item', { title: 'owner.itemTitle', titleParams: { name: item.name }, item, guests, expiredInvitations, notice: done });
  });

  r.post('/owner/items/:id/guests/:guestId/remove', members, csrfProtection, async (req, res) => {
    const item = await managedItem(req);
    const guestId = parseId(req.params.guestId);
    if (!guestId || !(await hasMembership(db, guestId, item.id))) throw notFound();
    await removeMembership(deps, auditContext(req), guestId, item.id);
    res.redirect(303, `/owner/items/${item.id}?removed=1`);
  });

  // An invitation that expired unused, sent again as a fresh one by an owner of an item the guest has.
  r.post('/owner/items/:id/guests/:guestId/resend', members, csrfProtection, async (req, res) => {
    const item = await managedItem(req);
    const guestId = parseId(req.params.guestId);
    if (!guestId || !(await hasMembership(db, guestId, item.id))) throw notFound();
    await resendInvitation(deps, auditContext(req), guestId);
    res.redirect(303, `/owner/items/${item.id}?resent=1`);
  });
  return r;
}
