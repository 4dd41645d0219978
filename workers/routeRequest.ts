// Picks who decides a request and mails them. Safe to run twice: routing happens once per request.
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { appendAudit } from '../src/db/audit.ts';
import { inTransaction } from '../src/db/knex.ts';
import { addApprovers, findRequest, markRouted } from '../src/db/requests.ts';
import { itemsOfRequest, ownersOfAll } from '../src/db/catalog.ts';
import { sponsorsOf } from '../src/db/organizations.ts';
import { listAdmins } from '../src/db/users.ts';
import { queueMail } from '../src/db/mail.ts';
import { addOutbox } from '../src/db/outbox.ts';
import { routeMail } from '../src/mail/templates.ts';

export async function routeRequest(deps: Deps, ctx: AuditContext, data: { requestId: number }): Promise<'routed' | 'skipped'> {
  const { db, config } = deps;
  return inTransaction(db, async (trx) => {
    const request = await findRequest(trx, data.requestId);
    if (!request || request.status !== 'pending') return 'skipped';
    if (!(await markRouted(trx, request.id))) return 'skipped';
    const items = await itemsOfRequest(trx, request.id);
    // Owners decide when every item is self-service and they own them all; otherwise the
    // organization's sponsors; with none named, the admins.
    let approvers = items.every((i) => i.self_service) ? await ownersOfAll(trx, items.map((i) => i.id)) : [];
    if (approvers.length === 0 && request.organization_id) approvers = await sponsorsOf(trx, request.organization_id);
    if (approvers.length === 0) approvers = await listAdmins(trx);
    await addApprovers(trx, request.id, approvers.map((a) => a.id));
    await appendAudit(trx, ctx, {
      action: 'request.routed',
      target: `request:${request.id}`,
      outcome: approvers.length ? 'success' : 'failure',
      details: { approvers: approvers.map((a) => a.email) },
    });
    for (const approver of approvers) {
      const mail = await queueMail(trx, routeMail(config, request, items, approver));
      if (mail.created) await addOutbox(trx, 'mail.send', { mailId: mail.id });
    }
    return 'routed';
  });
}
