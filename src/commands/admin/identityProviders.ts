import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findIdpById, listAllIdps } from '../../db/identityProviders.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { domainList, fieldErrors, httpUrl } from '../../domain/validation.ts';
import { diff } from './changes.ts';

const base = z.object({
  slug: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'validation.slug'),
  name: z.string().trim().min(1).max(100),
  kind: z.enum(['home', 'partner', 'social'], { message: 'validation.choice' }),
  issuer: httpUrl.transform((v) => v.replace(/\/+$/, '')),
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
  if (issuer.success && new URL(issuer.data).protocol === 'http:' && !deps.config.allowInsecureIdp) fields.issuer = 'validation.httpsRequired';
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

export type ConnectionReport = { ok: true; message: string } | { ok: false; problems: string[] };

/** Fetches the discovery document and says, in plain words, what would stop a sign-in. */
export async function testConnection(issuer: string, timeoutMs = 5000): Promise<ConnectionReport> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let doc: Record<string, unknown>;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: { accept: 'application/json' } });
    if (!res.ok) return { ok: false, problems: [`The discovery document at ${url} answered HTTP ${res.status}.`] };
    doc = (await res.json()) as Record<string, unknown>;
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError') return { ok: false, problems: [`${url} did not answer within ${timeoutMs / 1000} seconds.`] };
    if (e instanceof SyntaxError) return { ok: false, problems: [`${url} did not return a JSON discovery document.`] };
    return { ok: false, problems: [`${url} is unreachable (${e.cause instanceof Error ? e.cause.message : e.message}).`] };
  }
  const problems: string[] = [];
  if (doc.issuer !== issuer.replace(/\/+$/, '')) {
    problems.push(`The provider calls itself "${String(doc.issuer)}", not "${issuer}": the issuer must match exactly.`);
  }
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint']) {
    if (typeof doc[field] !== 'string') problems.push(`The discovery document has no ${field}.`);
  }
  const methods = doc.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes('S256')) problems.push('The provider does not support PKCE with S256.');
  return problems.length ? { ok: false, problems } : { ok: true, message: `Discovery document found and complete at ${url}.` };
}
