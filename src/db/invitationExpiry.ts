// Invitations past their expiry that are still marked pending: the expiry sweep's rows. Selected by
// the database ("due and not yet done"), marked with a conditional update (the first sweep wins).
import type { Db, Tx } from './knex.ts';

export interface DueInvitation {
  id: number;
  email: string;
  user_id: number;
  request_id: number | null;
  invited_by: number | null;
  expires_at: string;
  /** Who decided the request this invitation followed, if any. */
  decided_by: number | null;
}

/** Pending invitations whose expiry passed before `at`, oldest first. */
export async function dueExpiredInvitations(q: Db | Tx, at: string, limit: number): Promise<DueInvitation[]> {
  const rows = await q('invitations as i')
    .leftJoin('access_requests as r', 'r.id', 'i.request_id')
    .where('i.status', 'pending')
    .where('i.expires_at', '<=', at)
    .orderBy('i.expires_at')
    .orderBy('i.id')
    .limit(limit)
    .select('i.id', 'i.email', 'i.user_id', 'i.request_id', 'i.invited_by', 'i.expires_at', 'r.decided_by');
  return rows.map((r: DueInvitation) => ({
    ...r,
    id: Number(r.id),
    user_id: Number(r.user_id),
    request_id: r.request_id == null ? null : Number(r.request_id),
    invited_by: r.invited_by == null ? null : Number(r.invited_by),
    decided_by: r.decided_by == null ? null : Number(r.decided_by),
  }));
}

/** A self-service item this member owns and the guest has: where the owner can resend the guest's invitation. */
export async function itemOwnedForGuest(q: Db | Tx, ownerId: number, guestId: number): Promise<number | null> {
  const row = await q('catalog_owners as o')
    .join('catalog_items as c', 'c.id', 'o.item_id')
    .join('memberships as m', 'm.item_id', 'o.item_id')
    .where({ 'o.user_id': ownerId, 'm.user_id': guestId, 'c.self_service': true })
    .orderBy('o.item_id')
    .first('o.item_id');
  return row ? Number(row.item_id) : null;
}

/** Marks one invitation expired if it is still pending and past its expiry; false when another sweep (or a redemption) came first. */
export async function markInvitationExpired(trx: Tx, id: number, at: string): Promise<boolean> {
  const n = await trx('invitations').where({ id, status: 'pending' }).where('expires_at', '<=', at).update({ status: 'expired' });
  return Number(n) === 1;
}
