import type { Deps } from '../deps.ts';
import type { AuditContext } from '../db/audit.ts';
import { appendAudit } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { findItemsByIds } from '../db/catalog.ts';
import { findOrgForDomain } from '../db/organizations.ts';
import { insertRequest } from '../db/requests.ts';
import { addOutbox } from '../db/outbox.ts';
import { forbidden, invalid } from '../domain/errors.ts';
import { can } from '../domain/policies.ts';
import { emailDomain, type Principal } from '../domain/principal.ts';
import { recordRefusal } from './recordRefusal.ts';

export interface SubmitInput {
  itemIds: number[];
  justification: string;
}

/**
 * One transaction writes the request, its audit event and the outbox row that will route it; the
 * caller answers the partner without waiting on Redis.
 */
export async function submitRequest(deps: Deps, ctx: AuditContext, p: Principal, input: SubmitInput): Promise<number> {
  const { db } = deps;
  if (!can(p, 'request:create')) {
    await recordRefusal(db, ctx, 'request.submit', null, 'not a partner identity with a verified e-mail');
    throw forbidden('errors.requestNotAllowed');
  }
  const items = await findItemsByIds(db, input.itemIds);
  if (items.length !== input.itemIds.length || items.some((i) => !i.requestable)) {
    throw invalid('errors.invalidForm', { items: 'requests.errors.unknownItem' });
  }
  // Domain rules use the verified e-mail the IdP asserted, never anything typed in a form.
  const org = await findOrgForDomain(db, emailDomain(p.email));
  if (org?.policy === 'deny') {
    await recordRefusal(db, ctx, 'request.submit', null, `domain ${emailDomain(p.email)} is denied`);
    throw forbidden('errors.domainDenied');
  }
  return inTransaction(db, async (trx) => {
    const id = await insertRequest(
      trx,
      {
        requester_issuer: p.issuer,
        requester_subject: p.subject,
        requester_email: p.email.toLowerCase(),
        requester_name: p.name,
        identity_provider_id: p.idpId,
        organization_id: org?.id ?? null,
        justification: input.justification,
      },
      items.map((i) => i.id),
    );
    await appendAudit(trx, ctx, {
      action: 'request.submitted',
      target: `request:${id}`,
      details: { items: items.map((i) => i.name), organization: org?.name ?? null },
    });
    await addOutbox(trx, 'request.submitted', { requestId: id });
    return id;
  });
}
