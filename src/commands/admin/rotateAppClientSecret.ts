// A new secret for a confidential application client: the old one stops working as soon as this
// commits (only the sealed value is stored, and it is replaced), so the admin hands the new one to
// the app at once. Returned once, never audited.
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findItem } from '../../db/catalog.ts';
import { findAppClientByItem, setClientSecret } from '../../db/appClients.ts';
import { conflict, invalid, notFound } from '../../domain/errors.ts';
import { newClientSecret, sealClientSecret } from '../../oidc/clientSecret.ts';

export async function rotateAppClientSecret(deps: Deps, ctx: AuditContext, itemId: number): Promise<{ clientId: string; secret: string }> {
  if (!(await findItem(deps.db, itemId))) throw notFound();
  return inTransaction(deps.db, async (trx) => {
    const client = await findAppClientByItem(trx, itemId);
    if (!client) throw conflict('appClient.errors.noClient');
    if (client.public_client) throw invalid('appClient.errors.publicNoSecret', { public_client: 'appClient.errors.publicNoSecret' });
    const secret = newClientSecret();
    await setClientSecret(trx, client.id, sealClientSecret(deps.config, client.client_id, secret));
    await appendAudit(trx, ctx, {
      action: 'app_client.secret_rotated',
      target: `item:${itemId}`,
      details: { client_id: client.client_id, previous_rotated_at: client.secret_rotated_at },
    });
    return { clientId: client.client_id, secret };
  });
}
