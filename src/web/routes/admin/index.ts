import { Router } from 'express';
import type { Deps } from '../../../deps.ts';
import { requireAbility } from '../../middleware/auth.ts';
import { render } from '../../render.ts';
import { auditRoutes } from './audit.ts';
import { idpRoutes } from './identityProviders.ts';
import { organizationRoutes } from './organizations.ts';
import { catalogRoutes } from './catalog.ts';
import { settingsRoutes } from './settings.ts';
import { guestRoutes } from './guests.ts';
import { queueRoutes } from './queues.ts';
import { apiClientRoutes } from './apiClients.ts';
import { appClientRoutes } from './appClients.ts';
import { mailTemplateRoutes } from './mailTemplates.ts';
import { reviewAdminRoutes } from './reviews.ts';
import type { Queues } from '../../../queue/queues.ts';
import { queueOverview } from '../../../queue/admin.ts';
import { adminDashboard } from '../../../db/dashboard.ts';
import { openCampaignCount } from '../../../db/reviews.ts';
import { now as clockNow } from '../../../domain/clock.ts';

const HOUR = 3_600_000;
/** How far ahead the home looks for memberships that end. */
const EXPIRING_WITHIN_DAYS = 30;

/** How long the oldest request has waited, as a message key and its count (days, else hours). */
function waited(since: string | null, now: Date): { key: string; count: number } | null {
  if (!since) return null;
  const hours = Math.floor((now.getTime() - Date.parse(since)) / HOUR);
  if (hours < 1) return { key: 'adminHome.oldest.recent', count: 0 };
  if (hours < 24) return { key: hours === 1 ? 'adminHome.oldest.hour' : 'adminHome.oldest.hours', count: hours };
  const days = Math.floor(hours / 24);
  return { key: days === 1 ? 'adminHome.oldest.day' : 'adminHome.oldest.days', count: days };
}

/** Everything under /admin needs the admin ability; each area's routes live in their own file. */
export function adminRoutes(deps: Deps, queues: Queues): Router {
  const r = Router();
  r.use('/admin', requireAbility(deps.db, 'admin:manage'));
  r.get('/admin', async (req, res) => {
    const now = new Date(clockNow());
    const [home, queue] = await Promise.all([adminDashboard(deps.db, now, EXPIRING_WITHIN_DAYS), queueOverview(queues)]);
    render(req, res, 'admin/index', {
      title: 'admin.title',
      home,
      expiringWithinDays: EXPIRING_WITHIN_DAYS,
      openReviews: await openCampaignCount(deps.db),
      oldest: waited(home.oldestPendingAt, now),
      // null: Redis did not answer, and the page says so rather than show 0.
      failedJobs: queue ? Object.values(queue.counts).reduce((n, c) => n + Number(c.failed ?? 0), 0) : null,
    });
  });
  r.use(auditRoutes(deps));
  r.use(idpRoutes(deps));
  r.use(organizationRoutes(deps));
  r.use(catalogRoutes(deps));
  r.use(settingsRoutes(deps));
  r.use(guestRoutes(deps));
  r.use(queueRoutes(deps, queues));
  r.use(apiClientRoutes(deps));
  r.use(appClientRoutes(deps));
  r.use(mailTemplateRoutes(deps));
  r.use(reviewAdminRoutes(deps));
  return r;
}
