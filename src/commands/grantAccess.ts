// Memberships for a guest, each granted once (a rerun changes nothing) and audited when new. Runs
// inside the caller's transaction.
import { appendAudit, type AuditContext } from '../db/audit.ts';
import type { Tx } from '../db/knex.ts';
import type { CatalogItem, User } from '../db/rows.ts';
import { grantMembership } from '../db/memberships.ts';
import { grantExpiry } from '../domain/accessDates.ts';

export interface Grant {
  /** What caused it: a request (sourceId its id) or an invitation (sourceId the batch's, if any). */
  source: 'request' | 'invitation';
  sourceId: number | null;
  grantedBy: number | null;
  /** The last day a request granted access for (YYYY-MM-DD): no item lasts past it, nor past its own limit. */
  until?: string | null;
}

export async function grantAccess(trx: Tx, ctx: AuditContext, guest: User, items: CatalogItem[], grant: Grant, grantedAt = Date.now()): Promise<void> {
  for (const item of items) {
    const expiresAt = grantExpiry(item, grantedAt, grant.until);
    const granted = await grantMembership(trx, { userId: guest.id, itemId: item.id, source: grant.source, sourceId: grant.sourceId, grantedBy: grant.grantedBy, expiresAt });
    if (granted) await appendAudit(trx, ctx, { action: 'membership.granted', target: `user:${guest.id}`, details: { item: item.name, expiresAt } });
  }
}
