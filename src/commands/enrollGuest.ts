// The guest account an invitation or a grant is for, found by address or created. Runs inside the
// caller's transaction.
import { appendAudit, type AuditContext } from '../db/audit.ts';
import type { Tx } from '../db/knex.ts';
import type { User } from '../db/rows.ts';
import { changeGuestState } from '../db/guests.ts';
import { findUserByEmail, findUserById, insertUser, unbindIdentities } from '../db/users.ts';

/**
 * The guest at this address: the existing one, a new one (state invited), or a removed one started
 * over. `requestId` is what the creation is audited against, when a request caused it.
 */
export async function enrollGuest(trx: Tx, ctx: AuditContext, person: { email: string; displayName: string; requestId?: number | null }): Promise<User> {
  const user = await findUserByEmail(trx, 'guest', person.email);
  if (!user) {
    const id = await insertUser(trx, { display_name: person.displayName, email: person.email, user_type: 'guest', state: 'invited' });
    const created = (await findUserById(trx, id))!;
    await appendAudit(trx, ctx, { action: 'guest.created', target: `user:${id}`, details: { email: created.email, request: person.requestId ?? null } });
    return created;
  }
  if (user.state !== 'removed') return user;
  // A removed guest invited again starts over: a new invitation, a new identity binding.
  await changeGuestState(trx, user.id, ['removed'], 'invited');
  await unbindIdentities(trx, user.id);
  await appendAudit(trx, ctx, { action: 'guest.reinstated', target: `user:${user.id}`, details: { changes: { state: ['removed', 'invited'] } } });
  return { ...user, state: 'invited' };
}
