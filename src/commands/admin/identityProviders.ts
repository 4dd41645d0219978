import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findIdpById, listAllIdps } from '../../db/identityProviders.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { domainList, fieldErrors, httpUrl } from '../../domain/validation.ts';
import { diff } from './changes.ts';
import { discoverIdp, discoveryUrl, issuerProblem } from '../../auth/discovery.ts';
import { describeFailure, idpFailure, type IdpFailure } from '../../auth/idpFailure.ts';

const base = z.object({
  slug: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'validation.slug'),
  name: z.string().trim().min(1).max(100),
  kind: z.enum(['home', 'partner', 'social'], { message: 'validation.choice' }),
  // Kept exactly as typed: it must equal the provider's own `issuer`, trailing slash included.
  issuer: httpUrl,
  client_id: z.string().trim().min(1).max(300),
  client_secret: z.string().max(500).default(''),
  scopes: z
    .string()
    .trim()
    .max(300)
    .refine((v) => /^[\w:.\-/]+( [\w:.\-/]+)*$/.test(v) && v.split(' ').includes('openid'), 'validation.scopes'),
  email_domains: domainList,
});

export type IdpForm = z.input<typeof base>;

/** Creates (id null) or edits a provider. An empty secret on edit keeps the stored one. */
export async function saveIdp(deps: Deps, ctx: AuditContext, id: number | null, form: unknown): Promise<number> {
  const parsed = base.safeParse(form);
  const fields = parsed.success ? {} : fieldErrors(parsed.error);
  const existing = id ? await findIdpById(deps.db, id) : undefined;
  if (id && (!existing || existing.kind === 'email')) throw notFound();
  // Each field is checked on its own, so every problem is reported at once.
  const raw = (form ?? {}) as Record<string, unknown>;
  const slug = base.shape.slug.safeParse(raw.slug);
  const domains = base.shape.email_domains.safeParse(raw.email_domains ?? '');
  const issuer = base.shape.issuer.safeParse(raw.issuer);
  const others = (await listAllIdps(deps.db)).filter((p) => p.id !== id);
  if (slug.success && others.some((p) => p.slug === slug.data)) fields.slug = 'validation.taken';
  const claimed = new Set(others.flatMap((p) => p.email_domains.split(/\s+/).filter(Boolean)));
  if (domains.success && domains.data.some((d) => claimed.has(d))) fields.email_domains = 'validation.domainTaken';
  const issuerRefused = issuer.success ? issuerProblem(deps.config, issuer.data) : null;
  if (issuerRefused) fields.issuer = issuerRefused;
  if (!existing && !raw.client_secret) fields.client_secret = 'validation.required';
  if (!parsed.success || Object.keys(fields).length) throw invalid('errors.invalidForm', fields);
  const v = parsed.data!;
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
    const stamp = new Date().toISOString();
    let savedId = id;
    if (existing) {
      await trx('identity_providers').where({ id }).update({ ...row, updated_at: stamp });
    } else {
      const [r] = await trx('identity_providers').insert({ ...row, enabled: true, created_at: stamp, updated_at: stamp }).returning('id');
      savedId = (r as { id: number }).id;
    }
    await appendAudit(trx, ctx, {
      action: existing ? 'idp.updated' : 'idp.created',
      target: `idp:${v.slug}`,
      details: { changes: diff(existing ? { ...existing } : null, row) },
    });
    return savedId!;
  });
}

export async function setIdpEnabled(deps: Deps, ctx: AuditContext, id: number, enabled: boolean): Promise<void> {
  const idp = await findIdpById(deps.db, id);
  if (!idp || idp.kind === 'email') throw notFound();
  await inTransaction(deps.db, async (trx) => {
    await trx('identity_providers').where({ id }).update({ enabled, updated_at: new Date().toISOString() });
    await appendAudit(trx, ctx, {
      action: enabled ? 'idp.enabled' : 'idp.disabled',
      target: `idp:${idp.slug}`,
      details: { changes: { enabled: [idp.enabled, enabled] } },
    });
  });
}

export type Problem = { key: string; params?: Record<string, string | number> };
export type ConnectionReport = { ok: boolean; url: string; problems: Problem[] };

const FAILURE_KEYS: Record<IdpFailure['kind'], string> = {
  'address-not-allowed': 'idps.failure.addressNotAllowed',
  'timed-out': 'idps.failure.timedOut',
  'could-not-connect': 'idps.failure.couldNotConnect',
  'http-error': 'idps.failure.httpError',
  'not-openid-configuration': 'idps.failure.notConfiguration',
  'issuer-mismatch': 'idps.failure.issuerMismatch',
};

/**
 * Discovers the provider exactly as sign-in does and says, in fixed words, what would stop a
 * sign-in. What the provider answered is never shown: an issuer pointed at some internal service
 * must not read that service back to the admin. A test that works marks the row changed, so every
 * web process forgets a failed discovery of it and rebuilds its strategy; the test is audited.
 */
export async function testConnection(deps: Deps, ctx: AuditContext, id: number): Promise<ConnectionReport> {
  const idp = await findIdpById(deps.db, id);
  if (!idp || idp.kind === 'email') throw notFound();
  let url = idp.issuer;
  try {
    url = discoveryUrl(idp.issuer);
  } catch {
    // Shown as given; discovery below reports it.
  }
  const problems: Problem[] = [];
  let failure: IdpFailure | null = null;
  try {
    const metadata = (await discoverIdp(deps.config, idp)).serverMetadata();
    for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint'] as const) {
      if (typeof metadata[field] !== 'string') problems.push({ key: 'idps.problem.missing', params: { field } });
    }
    const methods = metadata.code_challenge_methods_supported;
    if (Array.isArray(methods) && !methods.includes('S256')) problems.push({ key: 'idps.problem.noPkce' });
  } catch (err) {
    failure = idpFailure(err);
    problems.push({ key: FAILURE_KEYS[failure.kind], params: { url, status: failure.kind === 'http-error' ? failure.status : '' } });
  }
  const ok = problems.length === 0;
  await inTransaction(deps.db, async (trx) => {
    if (ok) await trx('identity_providers').where({ id }).update({ updated_at: new Date().toISOString() });
    await appendAudit(trx, ctx, {
      action: 'idp.tested',
      target: `idp:${idp.slug}`,
      outcome: ok ? 'success' : 'failure',
      details: failure ? { failure: describeFailure(failure) } : { problems: problems.map((p) => p.key) },
    });
  });
  return { ok, url, problems };
}
