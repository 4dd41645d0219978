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
import type { Queues } from '../../../queue/queues.ts';

/** Everything under /admin needs the admin ability; each area's routes live in their own file. */
export function adminRoutes(deps: Deps, queues: Queues): Router {
  const r = Router();
  r.use('/admin', requireAbility(deps.db, 'admin:manage'));
  r.get('/admin', (req, res) => render(req, res, 'admin/index', { title: 'admin.title' }));
  r.use(auditRoutes(deps));
  r.use(idpRoutes(deps));
  r.use(organizationRoutes(deps));
  r.use(catalogRoutes(deps));
  r.use(settingsRoutes(deps));
  r.use(guestRoutes(deps));
  r.use(queueRoutes(deps, queues));
  r.use(apiClientRoutes(deps));
  r.use(appClientRoutes(deps));
  return r;
}
