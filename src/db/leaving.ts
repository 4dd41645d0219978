// What a guest leaving the organization reads: who decided her latest request (told when she has no sponsor).
import type { Db, Tx } from './knex.ts';

/** The member who decided the guest's latest decided request, with the address their mail goes to. */
export async function deciderOfLatestRequest(db: Db | Tx, guestId: number): Promise<{ id: number; email: string } | undefined> {
  const row = await db('access_requests')
    .join('users', 'users.id', 'access_requests.decided_by')
    .where({ 'access_requests.guest_user_id': guestId, 'users.user_type': 'member' })
    .orderBy('access_requests.decided_at', 'desc')
    .orderBy('access_requests.id', 'desc')
    .first('users.id', 'users.email');
  return row ? { id: Number(row.id), email: row.email as string } : undefined;
}
