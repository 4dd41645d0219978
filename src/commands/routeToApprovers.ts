// Picks who decides a request and queues a mail to each of them, inside the caller's transaction.
// A submission routes its own request this way, so a request never exists without its approvers
// and is in their inbox the moment the partner is answered; only the mails wait for the worker.
// The route job does the same for a request left unrouted (an outbox row from before this rule, a
// sweeper's find). Safe to run twice: routing happens once per request.
import type { Config } from '../config.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import type { Tx } from '../db/knex.ts';
import type { AccessRequest, CatalogItem } from '../db/rows.ts';
import { addApprovers, markRouted } from '../db/requests.ts';
import { ownersOfAll } from '../db/catalog.ts';
import { sponsorsOf } from '../db/organizations.ts';
import { listAdmins } from '../db/users.ts';
import { queueMail } from '../db/mail.ts';
import { addOutbox } from '../db/outbox.ts';
import { routeMail, type RoutedRequest } from '../mail/templates.ts';

/** Routing is the policy's doing, whoever's action (a submission, a job) set it off. */
const ROUTING = { type: 'system', id: 'system:routing', label: null } as const;

export async function routeToApprovers(
  trx: Tx,
  config: Config,
  ctx: AuditContext,
  request: RoutedRequest & Pick<AccessRequest, 'organization_id'>,
  items: CatalogItem[],
): Promise<boolean> {
  if (!(await markRouted(trx, request.id))) return false;
  // Owners decide when every item is self-service and they own them all; otherwise the
  // organization's sponsors; with none named, the admins.
  let approvers = items.every((i) => i.self_service) ? await ownersOfAll(trx, items.map((i) => i.id)) : [];
  if (approvers.length === 0 && request.organization_id) approvers = await sponsorsOf(trx, request.organization_id);
  if (approvers.length === 0) approvers = await listAdmins(trx);
  await addApprovers(trx, request.id, approvers.map((a) => a.id));
  await appendAudit(trx, { ...ctx, actor: ROUTING }, {
    action: 'request.routed',
    target: `request:${request.id}`,
    outcome: approvers.length ? 'success' : 'failure',
    details: { approvers: approvers.map((a) => a.email) },
  });
  for (const approver of approvers) {
    const mail = await queueMail(trx, routeMail(config, request, items, approver));
    if (mail.created) await addOutbox(trx, 'mail.send', { mailId: mail.id });
  }
  return true;
}
