// An application's Sign-in settings: its OpenID Connect client, created or edited by an admin (the
// console, `passerelle app-client create`, the demo seed). The secret is made here and returned once;
// only its sealed form is stored, and neither appears in the audit log.
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findItem, findItemsByIds } from '../../db/catalog.ts';
import { findAppClientByItem, insertAppClient, setClientSecret, updateAppClient, type AppClientSettings } from '../../db/appClients.ts';
import type { AppClient } from '../../db/rows.ts';
import { APP_CLAIMS } from '../../domain/model.ts';
import { redirectUriProblem } from '../../domain/appAccess.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { newClientId, newClientSecret, sealClientSecret } from '../../oidc/clientSecret.ts';
import { diff } from './changes.ts';
import type { FieldErrors, Submitted } from './submitted.ts';

export type { AppClientSettings };

export interface SavedAppClient {
  clientId: string;
  /** The new secret, in clear, for the admin to copy now; null when none was made by this save. */
  secret: string | null;
}

const firstProblem = (uris: string[], production: boolean): string | null => {
  for (const uri of uris) {
    const problem = redirectUriProblem(uri, production);
    if (problem) return problem;
  }
  return null;
};

/** What the form's shape cannot tell: each URI as oidc-provider will hold it, the claims and the groups named. */
async function problems(deps: Deps, v: Partial<AppClientSettings>): Promise<FieldErrors> {
  const production = deps.config.env === 'production';
  const fields: FieldErrors = {};
  if (v.redirect_uris !== undefined) {
    const problem = v.redirect_uris.length === 0 ? 'appClient.errors.redirectRequired' : firstProblem(v.redirect_uris, production);
    // Pairwise subjects are derived from the redirect URIs' host (no sector_identifier_uri here), so
    // a second host would split one person into two subjects for the same app.
    const hosts = new Set(v.redirect_uris.map((u) => URL.canParse(u) && new URL(u).host));
    if (problem) fields.redirect_uris = problem;
    else if (hosts.size > 1) fields.redirect_uris = 'appClient.errors.oneHost';
  }
  const postLogout = v.post_logout_redirect_uris && firstProblem(v.post_logout_redirect_uris, production);
  if (postLogout) fields.post_logout_redirect_uris = postLogout;
  for (const name of ['backchannel_logout_uri', 'initiate_login_uri'] as const) {
    const uri = v[name];
    const problem = uri ? redirectUriProblem(uri, production) : null;
    if (problem) fields[name] = problem;
  }
  if (v.claims?.some((c) => !(APP_CLAIMS as readonly string[]).includes(c))) fields.claims = 'appClient.errors.unknownClaim';
  if (v.visible_group_ids?.length) {
    const groups = (await findItemsByIds(deps.db, v.visible_group_ids)).filter((i) => i.kind === 'group');
    if (groups.length !== v.visible_group_ids.length) fields.visible_group_ids = 'appClient.errors.unknownGroup';
  }
  return fields;
}

const snapshot = (c: AppClientSettings & { has_secret: boolean }) => ({
  public_client: c.public_client,
  has_secret: c.has_secret,
  redirect_uris: c.redirect_uris,
  post_logout_redirect_uris: c.post_logout_redirect_uris,
  backchannel_logout_uri: c.backchannel_logout_uri,
  initiate_login_uri: c.initiate_login_uri,
  claims: c.claims,
  visible_group_ids: c.visible_group_ids,
  assignment_required: c.assignment_required,
  allow_members: c.allow_members,
});

/**
 * Creates the app item's client, or edits it. A confidential client gets a secret when it is created
 * or turned from public; a client turned public loses its secret.
 */
export async function saveAppClient(deps: Deps, ctx: AuditContext, itemId: number, form: Submitted<AppClientSettings>): Promise<SavedAppClient> {
  const item = await findItem(deps.db, itemId);
  if (!item) throw notFound();
  if (item.kind !== 'app') throw invalid('appClient.notAnApp', { item: 'appClient.notAnApp' });
  const fields = { ...form.fields, ...(await problems(deps, form.partial)) };
  if (!form.value || Object.keys(fields).length) throw invalid('errors.invalidForm', fields);
  const settings = form.value;
  return inTransaction(deps.db, async (trx) => {
    const before: AppClient | undefined = await findAppClientByItem(trx, itemId);
    const clientId = before?.client_id ?? newClientId();
    const secret = settings.public_client || before?.has_secret ? null : newClientSecret();
    const sealed = secret && sealClientSecret(deps.config, clientId, secret);
    if (before) {
      await updateAppClient(trx, before.id, settings);
      if (settings.public_client && before.has_secret) await setClientSecret(trx, before.id, null);
      else if (sealed) await setClientSecret(trx, before.id, sealed);
    } else {
      await insertAppClient(trx, { ...settings, clientId, itemId, secretEncrypted: sealed });
    }
    const after = snapshot({ ...settings, has_secret: !settings.public_client });
    await appendAudit(trx, ctx, {
      action: before ? 'app_client.updated' : 'app_client.created',
      target: `item:${itemId}`,
      details: { client_id: clientId, changes: diff(before ? snapshot(before) : null, after) },
    });
    return { clientId, secret };
  });
}
