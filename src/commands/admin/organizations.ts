import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { organizationDetail } from '../../db/organizations.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { domainList, fieldErrors, idList } from '../../domain/validation.ts';
import { diff } from './changes.ts';
import { rerouteOpenRequests } from '../routeToApprovers.ts';

const schema = z.object({
  name: z.string().trim().min(1).max(200),
  identity_provider_id: z.union([z.literal(''), z.string().regex(/^[1-9]\d{0,9}$/).transform(Number)]).optional().transform((v) => (v ? v : null)),
  domains: domainList.refine((l) => l.length > 0, 'validation.domains'),
  policy: z.enum(['allow', 'deny', 'auto_approve'], { message: 'validation.choice' }),
  sponsors: idList,
  auto_items: idList,
});

/** Creates (id null) or edits a partner organization with its domains, sponsors and policy. */
export async function saveOrganization(deps: Deps, ctx: AuditContext, id: number | null, form: unknown): Promise<number> {
  const { db } = deps;
  const parsed = schema.safeParse(form);
  const fields = parsed.success ? {} : fieldErrors(parsed.error);
  const before = id ? await organizationDetail(db, id) : undefined;
  if (id && !before) throw notFound();
  if (parsed.success) {
    const v = parsed.data;
    const taken = await db('organization_domains').whereIn('domain', v.domains).modify((q) => (id ? q.whereNot({ organization_id: id }) : q)).first();
    if (taken) fields.domains = 'validation.domainTaken';
    const sameName = await db('partner_organizations').where({ name: v.name }).modify((q) => (id ? q.whereNot({ id }) : q)).first();
    if (sameName) fields.name = 'validation.taken';
    if (v.identity_provider_id && !(await db('identity_providers').where({ id: v.identity_provider_id }).first())) fields.identity_provider_id = 'validation.choice';
    const members = v.sponsors.length ? await db('users').whereIn('id', v.sponsors).where({ user_type: 'member' }) : [];
    if (members.length !== v.sponsors.length) fields.sponsors = 'validation.choice';
    const items = v.auto_items.length ? await db('catalog_items').whereIn('id', v.auto_items) : [];
    if (items.length !== v.auto_items.length) fields.auto_items = 'validation.choice';
  }
  if (!parsed.success || Object.keys(fields).length) throw invalid('errors.invalidForm', fields);
  const v = parsed.data!;
  return inTransaction(db, async (trx) => {
    let orgId = id;
    const row = { name: v.name, identity_provider_id: v.identity_provider_id, policy: v.policy };
    if (id) {
      await trx('partner_organizations').where({ id }).update(row);
      await trx('organization_domains').where({ organization_id: id }).delete();
      await trx('organization_sponsors').where({ organization_id: id }).delete();
      await trx('organization_auto_approve_items').where({ organization_id: id }).delete();
    } else {
      const [r] = await trx('partner_organizations').insert({ ...row, created_at: new Date().toISOString() }).returning('id');
      orgId = (r as { id: number }).id;
    }
    for (const domain of v.domains) await trx('organization_domains').insert({ domain, organization_id: orgId });
    for (const user_id of v.sponsors) await trx('organization_sponsors').insert({ organization_id: orgId, user_id });
    const autoItems = v.policy === 'auto_approve' ? v.auto_items : [];
    for (const item_id of autoItems) await trx('organization_auto_approve_items').insert({ organization_id: orgId, item_id });
    const after = { ...row, domains: v.domains, sponsors: v.sponsors, auto_items: autoItems };
    await appendAudit(trx, ctx, {
      action: id ? 'organization.updated' : 'organization.created',
      target: `organization:${orgId}`,
      details: { changes: diff(before ? { ...before } : null, after) },
    });
    // Open requests follow the sponsors: a sponsor removed stops deciding them, the new ones get them
    // (and a mail), in this same transaction, so no request is left waiting for nobody.
    const sameSponsors = before && before.sponsors.length === v.sponsors.length && v.sponsors.every((s) => before.sponsors.includes(s));
    if (before && !sameSponsors) await rerouteOpenRequests(trx, deps.config, ctx, { organizationId: orgId! });
    return orgId!;
  });
}
