// Memberships for a guest, each granted once (a rerun changes nothing) and audited when new. Runs
// inside the caller's transaction.
import { appendAudit, type AuditContext } from '../db/audit.ts';
import type { Tx } from '../db/knex.ts';
import type { CatalogItem, User } from '../db/rows.ts';
import { grantMembership } from '../db/memberships.ts';
import { extendMembership } from '../db/membershipNotices.ts';
import { grantExpiry } from '../domain/accessDates.ts';
import { now } from '../domain/clock.ts';

export interface Grant {
  /** What caused it: a request (sourceId its id) or an invitation (sourceId the batch's, if any). */
  source: 'request' | 'invitation';
  sourceId: number | null;
  grantedBy: number | null;
  /** The last day a request granted access for (YYYY-MM-DD): no item lasts past it, nor past its own limit. */
  until?: string | null;
  /** An approved extension (sourceId the request's): a running membership's end moves instead of staying. */
  extension?: boolean;
}

/** What became of each item: a new term, an end moved (with the end it had), or nothing (held already). */
export type GrantOutcome = { item: CatalogItem; expiresAt: string | null } & ({ outcome: 'granted' | 'unchanged' } | { outcome: 'extended'; from: string });

/** `grantedAt`: when the access was decided (ms); every term counts from it, however late it is provisioned. */
export async function grantAccess(trx: Tx, ctx: AuditContext, guest: User, items: CatalogItem[], grant: Grant, grantedAt = now()): Promise<GrantOutcome[]> {
  const out: GrantOutcome[] = [];
  for (const item of items) {
    const expiresAt = grantExpiry(item, grantedAt, grant.until);
    const granted = await grantMembership(trx, { userId: guest.id, itemId: item.id, source: grant.source, sourceId: grant.sourceId, grantedBy: grant.grantedBy, expiresAt });
    if (granted) {
      await appendAudit(trx, ctx, { action: 'membership.granted', target: `user:${guest.id}`, details: { item: item.name, expiresAt } });
      out.push({ item, expiresAt, outcome: 'granted' });
      continue;
    }
    // Held already: an extension moves its end (from the decision, by the item's duration or to the
    // day granted), where any other grant leaves it as it is.
    const moved = grant.extension && grant.sourceId !== null ? await extendMembership(trx, guest.id, item.id, expiresAt, grant.sourceId) : undefined;
    if (moved) {
      await appendAudit(trx, ctx, { action: 'membership.extended', target: `user:${guest.id}`, details: { item: item.name, itemId: item.id, from: moved.from, expiresAt, request: grant.sourceId } });
      out.push({ item, expiresAt, outcome: 'extended', from: moved.from });
    } else out.push({ item, expiresAt, outcome: 'unchanged' });
  }
  return out;
}
