import type { Deps } from '../../../deps.ts';
import { appendAudit, type AuditContext } from '../../../db/audit.ts';
import { inTransaction } from '../../../db/knex.ts';
import { findItem } from '../../../db/catalog.ts';
import { grantMembership } from '../../../db/memberships.ts';
import { conflict, invalid } from '../../../domain/errors.ts';
import { membershipExpiry } from '../../../domain/membershipExpiry.ts';
import { requireGuest } from './requireGuest.ts';
import { now } from '../../../domain/clock.ts';

/** Grants an item directly (admin page, an owner's console, the API), for the item's longest term. */
export async function addMembership(deps: Deps, ctx: AuditContext, guestId: number, itemId: number, grantedBy: number | null): Promise<void> {
  const guest = await requireGuest(deps.db, guestId);
  const item = await findItem(deps.db, itemId);
  if (!item) throw invalid('errors.invalidForm', { item: 'validation.choice' });
  if (guest.state === 'removed') throw conflict('guests.removedNoChange');
  await inTransaction(deps.db, async (trx) => {
    const expiresAt = membershipExpiry(item, now());
    const granted = await grantMembership(trx, { userId: guestId, itemId, source: 'direct', sourceId: null, grantedBy, expiresAt });
    if (granted) await appendAudit(trx, ctx, { action: 'membership.granted', target: `user:${guestId}`, details: { item: item.name, expiresAt } });
  });
}
