// The seeded world (src/demo/world.ts) as tests name it: people by e-mail, items and organizations by
// name, IdPs by slug; and a partner as her session holds her. Factories and tests look ids up here.
import type { Stack } from './stack.ts';
import { findIdpBySlug, findIdpForDomain } from '../../src/db/identityProviders.ts';
import { listOrganizations } from '../../src/db/organizations.ts';
import { findUserByEmail } from '../../src/db/users.ts';
import { listAllItems } from '../../src/db/catalog.ts';
import type { CatalogItem, User } from '../../src/db/rows.ts';
import { emailDomain, type Principal } from '../../src/domain/principal.ts';
import { DEMO_ORGS } from '../../src/demo/world.ts';

export async function userIdOf(stack: Stack, email: string, type: User['user_type'] = 'member'): Promise<number> {
  const user = await findUserByEmail(stack.db, type, email);
  if (!user) throw new Error(`no ${type} ${email}`);
  return Number(user.id);
}

export async function itemsNamed(stack: Stack, names: string[]): Promise<CatalogItem[]> {
  if (names.length === 0) return [];
  const all = await listAllItems(stack.db);
  return names.map((name) => all.find((i) => i.name === name) ?? missing(`catalog item ${name}`));
}

export async function idpNamed(stack: Stack, slug: string) {
  return (await findIdpBySlug(stack.db, slug)) ?? missing(`identity provider ${slug}`);
}

export async function idpIdOf(stack: Stack, slug: string): Promise<number> {
  return Number((await idpNamed(stack, slug)).id);
}

export async function organizationIdOf(stack: Stack, name: string): Promise<number> {
  return Number(((await listOrganizations(stack.db)).find((o) => o.name === name) ?? missing(`organization ${name}`)).id);
}

export function missing(what: string): never {
  throw new Error(`no ${what} in the test world`);
}

/** A partner signed in as the session holds her: a demo account as its IdP asserts it, or a made-up one (Paula by default). */
export async function partnerPrincipal(stack: Stack, o: { requester?: string; idp?: string; subject?: string; name?: string }): Promise<Principal> {
  const email = (o.requester ?? 'paula@acme.test').toLowerCase();
  const account = DEMO_ORGS.flatMap((org) => org.accounts.map((a) => ({ ...a, idp: org.key }))).find((a) => a.email === email);
  const slug = o.idp ?? account?.idp ?? (await findIdpForDomain(stack.db, emailDomain(email)))?.slug ?? missing(`IdP for ${email}`);
  const idp = await idpNamed(stack, slug);
  const local = email.slice(0, email.indexOf('@'));
  return {
    issuer: idp.issuer,
    subject: o.subject ?? account?.sub ?? `${slug}-${local}`,
    email,
    emailVerified: true,
    name: o.name ?? account?.name ?? local,
    idpId: Number(idp.id),
    idpSlug: idp.slug,
    idpKind: idp.kind,
    userId: null,
    userType: null,
    role: null,
  };
}
