import type { Db, Tx } from './knex.ts';
import type { IdentityProvider } from './rows.ts';

const norm = (r: IdentityProvider | undefined): IdentityProvider | undefined =>
  r && { ...r, enabled: Boolean(r.enabled) };

export async function findIdpBySlug(db: Db | Tx, slug: string): Promise<IdentityProvider | undefined> {
  return norm(await db<IdentityProvider>('identity_providers').where({ slug }).first());
}

export async function findIdpById(db: Db | Tx, id: number): Promise<IdentityProvider | undefined> {
  return norm(await db<IdentityProvider>('identity_providers').where({ id }).first());
}

/** Providers people can be sent to for sign-in (the built-in e-mail code is offered separately). */
export async function listEnabledIdps(db: Db | Tx): Promise<IdentityProvider[]> {
  const rows = await db<IdentityProvider>('identity_providers').where({ enabled: true }).whereNot({ kind: 'email' }).orderBy('name');
  return rows.map((r) => norm(r)!);
}

/** Whether an IdP's list of e-mail domains (comma- or space-separated, as the admin typed it) holds this domain. */
export const listsDomain = (emailDomains: string | null, domain: string): boolean =>
  (emailDomains ?? '').toLowerCase().split(/[\s,]+/).includes(domain.toLowerCase());

/** Home-realm discovery: the enabled provider that serves this e-mail domain, if any. */
export async function findIdpForDomain(db: Db | Tx, domain: string): Promise<IdentityProvider | undefined> {
  const all = await listEnabledIdps(db);
  return all.find((p) => listsDomain(p.email_domains, domain));
}

export async function upsertIdp(
  db: Db | Tx,
  p: Omit<IdentityProvider, 'id' | 'updated_at' | 'enabled'> & { enabled?: boolean },
): Promise<number> {
  const existing = await findIdpBySlug(db, p.slug);
  if (!existing) return insertIdp(db, p);
  await updateIdp(db, existing.id, p);
  return existing.id;
}

/** The columns an admin sets; an edit that leaves the secret out keeps the stored one. */
export type IdpFields = Pick<IdentityProvider, 'slug' | 'name' | 'kind' | 'issuer' | 'client_id' | 'scopes' | 'email_domains'> & {
  client_secret?: string;
  enabled?: boolean;
};

export async function insertIdp(db: Db | Tx, p: IdpFields): Promise<number> {
  const stamp = new Date().toISOString();
  const [row] = await db('identity_providers').insert({ enabled: true, ...p, created_at: stamp, updated_at: stamp }).returning('id');
  return Number((row as { id: number }).id);
}

/** Every change moves updated_at: it is how each web process learns to rebuild the provider's strategy. */
export async function updateIdp(db: Db | Tx, id: number, changes: Partial<IdpFields>): Promise<void> {
  await db('identity_providers').where({ id }).update({ ...changes, updated_at: new Date().toISOString() });
}

/** A change of nothing but updated_at: each web process forgets what it remembered of the provider. */
export const markIdpChanged = (db: Db | Tx, id: number): Promise<void> => updateIdp(db, id, {});

export async function listAllIdps(db: Db | Tx): Promise<IdentityProvider[]> {
  const rows = await db<IdentityProvider>('identity_providers').orderBy('name');
  return rows.map((r) => norm(r)!);
}
