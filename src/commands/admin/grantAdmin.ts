import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findUserByEmail, insertUser, makeAdmin } from '../../db/users.ts';

/**
 * `passerelle admin grant`: the first administrator has nobody to grant them the role in the
 * console, so the command line makes a member an admin, creating the member if they never signed in.
 */
export async function grantAdmin(deps: Deps, ctx: AuditContext, email: string): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const existing = await findUserByEmail(trx, 'member', email);
    const id = existing?.id ?? (await insertUser(trx, { display_name: email.split('@')[0], email, user_type: 'member', state: 'active' }));
    await makeAdmin(trx, id);
    await appendAudit(trx, ctx, { action: 'admin.granted', target: `user:${id}`, details: { email, created: !existing } });
  });
}
