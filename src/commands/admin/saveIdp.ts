import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findIdpById, insertIdp, listAllIdps, updateIdp } from '../../db/identityProviders.ts';
import type { IdentityProvider } from '../../db/rows.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { diff } from './changes.ts';
import type { FieldErrors, Submitted } from './submitted.ts';
import { issuerProblem } from '../../auth/discovery.ts';

export type IdpInput = Pick<IdentityProvider, 'slug' | 'name' | 'kind' | 'issuer' | 'client_id' | 'scopes'> & {
  /** Empty on an edit: the stored secret is kept. */
  client_secret: string;
  /** Lower-case, each a domain name. */
  email_domains: string[];
};

/**
 * What only the database and the configuration can tell, for each field that is right on its own:
 * every problem of the form is reported at once.
 */
async function conflicts(deps: Deps, existing: IdentityProvider | undefined, v: Partial<IdpInput>): Promise<FieldErrors> {
  const fields: FieldErrors = {};
  const others = (await listAllIdps(deps.db)).filter((p) => p.id !== existing?.id);
  if (v.slug !== undefined && others.some((p) => p.slug === v.slug)) fields.slug = 'validation.taken';
  const claimed = new Set(others.flatMap((p) => p.email_domains.split(/\s+/).filter(Boolean)));
  if (v.email_domains?.some((d) => claimed.has(d))) fields.email_domains = 'validation.domainTaken';
  const issuerRefused = v.issuer !== undefined ? issuerProblem(deps.config, v.issuer) : null;
  if (issuerRefused) fields.issuer = issuerRefused;
  if (!existing && v.client_secret === '') fields.client_secret = 'validation.required';
  return fields;
}

/** Creates (id null) or edits a provider. An empty secret on edit keeps the stored one. */
export async function saveIdp(deps: Deps, ctx: AuditContext, id: number | null, form: Submitted<IdpInput>): Promise<number> {
  const existing = id ? await findIdpById(deps.db, id) : undefined;
  if (id && (!existing || existing.kind === 'email')) throw notFound();
  const fields = { ...form.fields, ...(await conflicts(deps, existing, form.partial)) };
  if (!form.value || Object.keys(fields).length) throw invalid('errors.invalidForm', fields);
  const v = form.value;
  const row = {
    slug: v.slug,
    name: v.name,
    kind: v.kind,
    issuer: v.issuer,
    client_id: v.client_id,
    scopes: v.scopes,
    email_domains: v.email_domains.join(' '),
    ...(v.client_secret ? { client_secret: v.client_secret } : {}),
  };
  return inTransaction(deps.db, async (trx) => {
    const savedId = existing ? existing.id : await insertIdp(trx, row);
    if (existing) await updateIdp(trx, existing.id, row);
    await appendAudit(trx, ctx, {
      action: existing ? 'idp.updated' : 'idp.created',
      target: `idp:${v.slug}`,
      details: { changes: diff(existing ? { ...existing } : null, row) },
    });
    return savedId;
  });
}
