import type { Db, Tx } from './knex.ts';
import type { Organization, User } from './rows.ts';

export async function findOrgForDomain(db: Db | Tx, domain: string): Promise<Organization | undefined> {
  return db<Organization>('partner_organizations')
    .join('organization_domains', 'partner_organizations.id', 'organization_domains.organization_id')
    .where('organization_domains.domain', domain.toLowerCase())
    .first('partner_organizations.*');
}

export async function findOrgById(db: Db | Tx, id: number): Promise<Organization | undefined> {
  return db<Organization>('partner_organizations').where({ id }).first();
}

export async function listOrganizations(db: Db | Tx): Promise<(Organization & { idp_slug: string | null; idp_name: string | null })[]> {
  return db('partner_organizations')
    .leftJoin('identity_providers', 'partner_organizations.identity_provider_id', 'identity_providers.id')
    .select('partner_organizations.*', 'identity_providers.slug as idp_slug', 'identity_providers.name as idp_name')
    .orderBy('partner_organizations.name');
}

export async function sponsorsOf(db: Db | Tx, orgId: number): Promise<User[]> {
  return db<User>('users')
    .join('organization_sponsors', 'users.id', 'organization_sponsors.user_id')
    .where({ 'organization_sponsors.organization_id': orgId, 'users.state': 'active' })
    .select('users.*')
    .orderBy('users.id');
}

export async function insertOrganization(
  db: Db | Tx,
  o: { name: string; identityProviderId: number | null; policy: Organization['policy']; domains: string[]; sponsorIds: number[] },
): Promise<number> {
  const [row] = await db('partner_organizations')
    .insert({ name: o.name, identity_provider_id: o.identityProviderId, policy: o.policy, created_at: new Date().toISOString() })
    .returning('id');
  const id = (row as { id: number }).id;
  for (const domain of o.domains) await db('organization_domains').insert({ domain: domain.toLowerCase(), organization_id: id });
  for (const userId of o.sponsorIds) await db('organization_sponsors').insert({ organization_id: id, user_id: userId });
  return id;
}

export interface OrganizationDetail extends Organization {
  domains: string[];
  sponsors: number[];
  auto_items: number[];
}

export async function organizationDetail(db: Db | Tx, id: number): Promise<OrganizationDetail | undefined> {
  const org = await findOrgById(db, id);
  if (!org) return undefined;
  const domains = (await db('organization_domains').where({ organization_id: id }).orderBy('domain')).map((r) => r.domain as string);
  const sponsors = (await db('organization_sponsors').where({ organization_id: id })).map((r) => Number(r.user_id));
  const autoItems = (await db('organization_auto_approve_items').where({ organization_id: id })).map((r) => Number(r.item_id));
  return { id: org.id, name: org.name, identity_provider_id: org.identity_provider_id, policy: org.policy, language: org.language ?? null, domains, sponsors, auto_items: autoItems };
}

export async function autoApprovedItems(db: Db | Tx, orgId: number): Promise<number[]> {
  return (await db('organization_auto_approve_items').where({ organization_id: orgId })).map((r) => Number(r.item_id));
}

export async function listOrganizationsWithDomains(db: Db | Tx) {
  const orgs = await listOrganizations(db);
  const domains = await db('organization_domains').select('domain', 'organization_id').orderBy('domain');
  return orgs.map((o) => ({ ...o, domains: domains.filter((d) => d.organization_id === o.id).map((d) => d.domain as string) }));
}

/** Whether another organization than `exceptId` already holds one of these domains. */
export async function domainsHeldElsewhere(db: Db | Tx, domains: string[], exceptId: number | null): Promise<boolean> {
  const q = db('organization_domains').whereIn('domain', domains);
  if (exceptId) q.whereNot({ organization_id: exceptId });
  return Boolean(await q.first());
}

export async function organizationNameTaken(db: Db | Tx, name: string, exceptId: number | null): Promise<boolean> {
  const q = db('partner_organizations').where({ name });
  if (exceptId) q.whereNot({ id: exceptId });
  return Boolean(await q.first());
}

export async function updateOrganization(trx: Tx, id: number, o: Pick<Organization, 'name' | 'identity_provider_id' | 'policy' | 'language'>): Promise<void> {
  await trx('partner_organizations').where({ id }).update(o);
}

/** Replaces what an organization lists (its domains, sponsors and auto-approved items) with these. */
export async function replaceOrganizationLists(trx: Tx, id: number, lists: { domains: string[]; sponsorIds: number[]; autoItemIds: number[] }): Promise<void> {
  await trx('organization_domains').where({ organization_id: id }).delete();
  await trx('organization_sponsors').where({ organization_id: id }).delete();
  await trx('organization_auto_approve_items').where({ organization_id: id }).delete();
  for (const domain of lists.domains) await trx('organization_domains').insert({ domain, organization_id: id });
  for (const user_id of lists.sponsorIds) await trx('organization_sponsors').insert({ organization_id: id, user_id });
  for (const item_id of lists.autoItemIds) await trx('organization_auto_approve_items').insert({ organization_id: id, item_id });
}
