import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findIdpById, updateIdp } from '../../db/identityProviders.ts';
import { notFound } from '../../domain/errors.ts';

/** A disabled provider is offered to nobody, and the sessions made through it end on their next request. */
export async function setIdpEnabled(deps: Deps, ctx: AuditContext, id: number, enabled: boolean): Promise<void> {
  const idp = await findIdpById(deps.db, id);
  if (!idp || idp.kind === 'email') throw notFound();
  await inTransaction(deps.db, async (trx) => {
    await updateIdp(trx, id, { enabled });
    await appendAudit(trx, ctx, {
      action: enabled ? 'idp.enabled' : 'idp.disabled',
      target: `idp:${idp.slug}`,
      details: { changes: { enabled: [idp.enabled, enabled] } },
    });
  });
}
