import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { notFound } from '../../domain/errors.ts';
import type { Queues } from '../../queue/queues.ts';
import { retryFailedJob } from '../../queue/admin.ts';

/** Runs a failed job again. Only a job that exists and has failed can be retried; anything else is a 404. */
export async function retryJob(deps: Deps, queues: Queues, ctx: AuditContext, queue: string, id: string): Promise<void> {
  if (!(await retryFailedJob(queues, queue, id))) throw notFound();
  await inTransaction(deps.db, (trx) => appendAudit(trx, ctx, { action: 'job.retried', target: `job:${queue}:${id}` }));
}
