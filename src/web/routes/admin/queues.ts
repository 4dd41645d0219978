import { Router } from 'express';
import type { Deps } from '../../../deps.ts';
import type { Queues } from '../../../queue/queues.ts';
import { queueOverview } from '../../../queue/admin.ts';
import { mailSummaries } from '../../../db/mail.ts';
import { retryJob } from '../../../commands/admin/retryJob.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext } from '../../middleware/requestContext.ts';
import { render } from '../../render.ts';

export function queueRoutes(deps: Deps, queues: Queues): Router {
  const r = Router();
  r.get('/admin/queues', async (req, res) => {
    const overview = await queueOverview(queues);
    const mailIds = overview?.failed.map((f) => Number(f.data.mailId)).filter(Boolean) ?? [];
    const mails = await mailSummaries(deps.db, mailIds);
    render(req, res, 'admin/queues', {
      title: 'queues.title',
      overview,
      mails: new Map(mails.map((m) => [Number(m.id), m])),
      notice: req.query.retried ? { key: 'queues.retried' } : null,
    });
  });
  r.post('/admin/queues/:queue/:id/retry', csrfProtection, async (req, res) => {
    await retryJob(deps, queues, auditContext(req), String(req.params.queue), String(req.params.id));
    res.redirect(303, '/admin/queues?retried=1');
  });
  return r;
}
