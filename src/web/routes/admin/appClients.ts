// An application's Sign-in settings (its OpenID Connect client). A secret is shown once, on the answer
// to the POST that made it (creation of a confidential client, a switch from public, a rotation),
// never in a URL and never on the settings page.
import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../../deps.ts';
import { findItem, listAllItems } from '../../../db/catalog.ts';
import { findAppClientByItem } from '../../../db/appClients.ts';
import type { AppClient, CatalogItem } from '../../../db/rows.ts';
import { saveAppClient } from '../../../commands/admin/saveAppClient.ts';
import { rotateAppClientSecret } from '../../../commands/admin/rotateAppClientSecret.ts';
import { APP_CLAIMS } from '../../../domain/model.ts';
import { AppError, notFound } from '../../../domain/errors.ts';
import { csrfProtection } from '../../middleware/csrf.ts';
import { auditContext } from '../../middleware/requestContext.ts';
import { parseId, render } from '../../render.ts';
import { appClientForm } from '../../forms/appClient.ts';

/** What a new client starts with: every claim, no group shown, only people holding a membership. */
const NEW_CLIENT = { claims: [...APP_CLAIMS], visible_group_ids: [], assignment_required: true, allow_members: false, public_client: false };

const lines = (v: unknown) => ([] as unknown[]).concat(v ?? []).join('\n');

export function appClientRoutes(deps: Deps): Router {
  const r = Router();
  const { db, config } = deps;
  const issuer = `${config.publicUrl}/oidc`;

  async function appItem(req: Request): Promise<CatalogItem> {
    const item = await findItem(db, parseId(req.params.id) ?? 0);
    if (!item || item.kind !== 'app') throw notFound();
    return item;
  }

  async function page(req: Request, res: Response, item: CatalogItem, client: AppClient | undefined, values: Record<string, unknown>, extra = {}, status = 200) {
    const groups = (await listAllItems(db)).filter((i) => i.kind === 'group');
    render(req, res, 'admin/catalog/signIn', {
      title: 'appClient.title',
      titleParams: { name: item.name },
      item,
      client: client ?? null,
      issuer,
      discovery: `${issuer}/.well-known/openid-configuration`,
      claimOptions: APP_CLAIMS.map((c) => ({ value: c, label: c })),
      groupOptions: groups.map((g) => ({ value: g.id, label: g.name })),
      values,
      saved: req.query.saved,
      ...extra,
    }, status);
  }

  function secretPage(req: Request, res: Response, item: CatalogItem, clientId: string, secret: string, reason: 'created' | 'rotated', status: number) {
    render(req, res, 'admin/catalog/secret', { title: 'appClient.secretTitle', titleParams: { name: item.name }, item, clientId, secret, reason, issuer }, status);
  }

  r.get('/admin/catalog/:id/sign-in', async (req, res) => {
    const item = await appItem(req);
    const client = await findAppClientByItem(db, item.id);
    await page(req, res, item, client, { ...(client ?? NEW_CLIENT) });
  });

  r.post('/admin/catalog/:id/sign-in', csrfProtection, async (req, res) => {
    const item = await findItem(db, parseId(req.params.id) ?? 0);
    if (!item) throw notFound();
    const before = await findAppClientByItem(db, item.id);
    try {
      const { clientId, secret } = await saveAppClient(deps, auditContext(req), item.id, appClientForm(req.body));
      if (secret) return secretPage(req, res, item, clientId, secret, 'created', before ? 200 : 201);
      res.redirect(303, `/admin/catalog/${item.id}/sign-in?saved=1`);
    } catch (err) {
      // A group has no sign-in settings to show again: the error page says so.
      if (!(err instanceof AppError) || err.status !== 400 || item.kind !== 'app') throw err;
      const b = req.body ?? {};
      await page(req, res, item, before, {
        ...b,
        redirect_uris: lines(b.redirect_uris),
        post_logout_redirect_uris: lines(b.post_logout_redirect_uris),
        public_client: b.public_client !== undefined,
        assignment_required: b.assignment_required !== undefined,
        allow_members: b.allow_members !== undefined,
        claims: ([] as unknown[]).concat(b.claims ?? []),
        visible_group_ids: ([] as unknown[]).concat(b.visible_group_ids ?? []),
      }, { fields: err.fields }, 400);
    }
  });

  r.post('/admin/catalog/:id/sign-in/rotate', csrfProtection, async (req, res) => {
    const item = await appItem(req);
    const { clientId, secret } = await rotateAppClientSecret(deps, auditContext(req), item.id);
    secretPage(req, res, item, clientId, secret, 'rotated', 200);
  });
  return r;
}
