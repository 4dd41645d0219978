// A partner changes the name she is known by, from her profile: on her guest account if she has one
// (audited guest.renamed), and on her requests still waiting to become access, so that the sponsor
// reads it and the invitation and guest account carry it (audited profile.updated).
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { renameRequester } from '../db/requests.ts';
import { findUserByIdentity } from '../db/users.ts';
import { forbidden } from '../domain/errors.ts';
import { can } from '../domain/policies.ts';
import type { Principal } from '../domain/principal.ts';
import { renameGuest } from './renameGuest.ts';

export async function setDisplayName(deps: Deps, ctx: AuditContext, p: Principal, name: string): Promise<void> {
  if (!can(p, 'profile:edit')) throw forbidden();
  await inTransaction(deps.db, async (trx) => {
    const guest = await findUserByIdentity(trx, p.issuer, p.subject);
    if (guest?.user_type === 'guest') await renameGuest(trx, ctx, guest.id, name);
    const requests = await renameRequester(trx, p.issuer, p.subject, name);
    if (requests.length || guest?.user_type !== 'guest') {
      await appendAudit(trx, ctx, {
        action: 'profile.updated',
        target: guest ? `user:${guest.id}` : null,
        details: { displayName: name, requests: requests.map((id) => `request:${id}`) },
      });
    }
  });
}
