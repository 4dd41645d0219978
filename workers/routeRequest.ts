// Routes a request that was not routed when it was submitted (an outbox row from before routing
// moved into the submission, or one the sweeper found). Safe to run twice: routing happens once.
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { inTransaction } from '../src/db/knex.ts';
import { findRequest } from '../src/db/requests.ts';
import { itemsOfRequest } from '../src/db/catalog.ts';
import { routeToApprovers } from '../src/commands/routeToApprovers.ts';

export async function routeRequest(deps: Deps, ctx: AuditContext, data: { requestId: number }): Promise<'routed' | 'skipped'> {
  const { db, config } = deps;
  return inTransaction(db, async (trx) => {
    const request = await findRequest(trx, data.requestId);
    if (!request || request.status !== 'pending' || request.routed_at) return 'skipped';
    return (await routeToApprovers(trx, config, ctx, request, await itemsOfRequest(trx, request.id))) ? 'routed' : 'skipped';
  });
}
