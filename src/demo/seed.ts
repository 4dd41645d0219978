// Puts the demo world into the database: IdPs pointing at the demo issuers, admins and sponsors,
// partner organizations and a small catalog. Running it again updates rather than duplicates.
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/knex.ts';
import { findIdpBySlug, upsertIdp } from '../db/identityProviders.ts';
import { findUserByEmail, insertUser } from '../db/users.ts';
import { insertOrganization, organizationNameTaken } from '../db/organizations.ts';
import { insertItem, itemNameTaken, setOwners } from '../db/catalog.ts';
import { appendAudit } from '../db/audit.ts';
import { DEMO_ORGS, demoClient } from './world.ts';

export async function seedDemo(db: Db, issuers: Record<string, string>): Promise<void> {
  await inTransaction(db, async (trx) => {
    const ctx = { actor: { type: 'system' as const, id: 'system:seed', label: null }, ip: null, correlationId: 'seed' };
    const idpIds: Record<string, number> = {};
    for (const org of DEMO_ORGS) {
      const before = await findIdpBySlug(trx, org.key);
      idpIds[org.key] = await upsertIdp(trx, {
        slug: org.key,
        name: org.displayName,
        kind: org.kind,
        issuer: issuers[org.key],
        client_id: demoClient(org.key).clientId,
        client_secret: demoClient(org.key).clientSecret,
        scopes: 'openid email profile',
        email_domains: org.domain,
      });
      if (!before || before.issuer !== issuers[org.key]) {
        await appendAudit(trx, ctx, { action: before ? 'idp.updated' : 'idp.created', target: `idp:${org.key}`, details: { issuer: issuers[org.key] } });
      }
    }

    const member = async (email: string, name: string, role: 'admin' | null) => {
      const existing = await findUserByEmail(trx, 'member', email);
      if (existing) return existing.id;
      const id = await insertUser(trx, { display_name: name, email, user_type: 'member', state: 'active', role });
      await appendAudit(trx, ctx, { action: 'member.created', target: `user:${id}`, details: { email, role } });
      return id;
    };
    const ours = DEMO_ORGS.find((o) => o.key === 'ours')!;
    const [ada, sam, sue] = ours.accounts;
    await member(ada.email, ada.name, 'admin');
    const samId = await member(sam.email, sam.name, null);
    const sueId = await member(sue.email, sue.name, null);

    const sponsors: Record<string, number[]> = { acme: [samId], globex: [sueId] };
    for (const org of DEMO_ORGS.filter((o) => o.kind === 'partner')) {
      if (await organizationNameTaken(trx, org.displayName, null)) continue;
      const id = await insertOrganization(trx, {
        name: org.displayName,
        identityProviderId: idpIds[org.key],
        policy: 'allow',
        domains: [org.domain],
        sponsorIds: sponsors[org.key] ?? [],
      });
      await appendAudit(trx, ctx, { action: 'organization.created', target: `organization:${id}`, details: { name: org.displayName, domains: [org.domain] } });
    }

    const catalog = [
      { kind: 'app' as const, name: 'Partner Wiki', description: 'Shared documentation, meeting notes and specifications.', launch_url: 'https://wiki.passerelle.test/', max_days: 180 },
      { kind: 'app' as const, name: 'Supplier Portal', description: 'Orders, invoices and delivery schedules.', launch_url: 'https://suppliers.passerelle.test/', max_days: 365 },
      { kind: 'group' as const, name: 'Project Atlas', description: 'The joint engineering team for Project Atlas.', launch_url: null, max_days: 90 },
      { kind: 'group' as const, name: 'Quality Reviews', description: 'Monthly quality review board.', launch_url: null, max_days: null },
    ];
    for (const item of catalog) {
      if (await itemNameTaken(trx, item.name, null)) continue;
      const id = await insertItem(trx, { ...item, self_service: item.name === 'Quality Reviews' });
      if (item.name === 'Quality Reviews') await setOwners(trx, id, [sueId]);
      await appendAudit(trx, ctx, { action: 'catalog.item_created', target: `item:${id}`, details: { name: item.name, kind: item.kind } });
    }
  });
}
