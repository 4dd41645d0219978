import { Router } from 'express';
import type { Deps } from '../../../deps.ts';
import type { Queues } from '../../../queue/queues.ts';
import { queueOverview, retryFailedJob } from '../../../queue/admin.ts';
import { appendAudit } from '../../../db/audit.ts';
import { inTransaction } from '../../../db/knex.ts';
import { notFound } from '../../../domain/errors.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext } from '../../middleware/requestContext.ts';
import { render } from '../../render.ts';

export function queueRoutes(deps: Deps, queues: Queues): Router {
  const r = Router();
  r.get('/admin/queues', async (req, res) => {
    const overview = await queueOverview(queues);
    const mailIds = overview?.failed.map((f) => Number(f.data.mailId)).filter(Boolean) ?? [];
    const mails = mailIds.length ? await deps.db('mail_messages').whereIn('id', mailIds).select('id', 'to_address', 'subject', 'status') : [];
    render(req, res, 'admin/queues', {
      title: 'queues.title',
      overview,
      mails: new Map(mails.map((m) => [Number(m.id), m])),
      notice: req.query.retried ? { key: 'queues.retried' } : null,
    });
  });
  r.post('/admin/queues/:queue/:id/retry', csrfProtection, async (req, res) => {
    const { queue, id } = req.params;
    if (!(await retryFailedJob(queues, String(queue), String(id)))) throw notFound();
    await inTransaction(deps.db, (trx) => appendAudit(trx, auditContext(req), { action: 'job.retried', target: `job:${queue}:${id}` }));
    res.redirect(303, '/admin/queues?retried=1');
  });
  return r;
}
