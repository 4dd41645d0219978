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

/** Home-realm discovery: the enabled provider that serves this e-mail domain, if any. */
export async function findIdpForDomain(db: Db | Tx, domain: string): Promise<IdentityProvider | undefined> {
  const all = await listEnabledIdps(db);
  return all.find((p) => p.email_domains.toLowerCase().split(/[\s,]+/).includes(domain.toLowerCase()));
}

export async function upsertIdp(
  db: Db | Tx,
  p: Omit<IdentityProvider, 'id' | 'updated_at' | 'enabled'> & { enabled?: boolean },
): Promise<number> {
  const stamp = new Date().toISOString();
  const existing = await db('identity_providers').where({ slug: p.slug }).first();
  if (existing) {
    await db('identity_providers').where({ id: existing.id }).update({ ...p, updated_at: stamp });
    return existing.id as number;
  }
  const [row] = await db('identity_providers').insert({ enabled: true, ...p, created_at: stamp, updated_at: stamp }).returning('id');
  return (row as { id: number }).id;
}

export async function listAllIdps(db: Db | Tx): Promise<IdentityProvider[]> {
  const rows = await db<IdentityProvider>('identity_providers').orderBy('name');
  return rows.map((r) => norm(r)!);
}
