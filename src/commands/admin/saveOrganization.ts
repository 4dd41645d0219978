import type { Deps } from '../../deps.ts';
import type { Db } from '../../db/knex.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { domainsHeldElsewhere, insertOrganization, organizationDetail, organizationNameTaken, replaceOrganizationLists, updateOrganization } from '../../db/organizations.ts';
import { findIdpById } from '../../db/identityProviders.ts';
import { findItemsByIds } from '../../db/catalog.ts';
import { membersAmong } from '../../db/users.ts';
import type { Organization } from '../../db/rows.ts';
import type { Locale } from '../../i18n/locales.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { diff } from './changes.ts';
import type { FieldErrors, Submitted } from './submitted.ts';
import { rerouteOpenRequests } from '../routeToApprovers.ts';

export interface OrganizationInput {
  name: string;
  identity_provider_id: number | null;
  policy: Organization['policy'];
  /** The language of its partners' mails; null: the default language. */
  language: Locale | null;
  /** Lower-case, each a domain name. */
  domains: string[];
  sponsors: number[];
  /** Kept only with the auto_approve policy. */
  auto_items: number[];
}

/** What only the database can tell of a well-formed organization. */
async function conflicts(db: Db, id: number | null, v: OrganizationInput): Promise<FieldErrors> {
  const fields: FieldErrors = {};
  if (await domainsHeldElsewhere(db, v.domains, id)) fields.domains = 'validation.domainTaken';
  if (await organizationNameTaken(db, v.name, id)) fields.name = 'validation.taken';
  if (v.identity_provider_id && !(await findIdpById(db, v.identity_provider_id))) fields.identity_provider_id = 'validation.choice';
  if ((await membersAmong(db, v.sponsors)).length !== v.sponsors.length) fields.sponsors = 'validation.choice';
  if ((await findItemsByIds(db, v.auto_items)).length !== v.auto_items.length) fields.auto_items = 'validation.choice';
  return fields;
}

/** Creates (id null) or edits a partner organization with its domains, sponsors and policy. */
export async function saveOrganization(deps: Deps, ctx: AuditContext, id: number | null, form: Submitted<OrganizationInput>): Promise<number> {
  const { db } = deps;
  const before = id ? await organizationDetail(db, id) : undefined;
  if (id && !before) throw notFound();
  const fields = { ...form.fields, ...(form.value ? await conflicts(db, id, form.value) : {}) };
  if (!form.value || Object.keys(fields).length) throw invalid('errors.invalidForm', fields);
  const v = form.value;
  return inTransaction(db, async (trx) => {
    const row = { name: v.name, identity_provider_id: v.identity_provider_id, policy: v.policy, language: v.language };
    const autoItems = v.policy === 'auto_approve' ? v.auto_items : [];
    const orgId = id ?? (await insertOrganization(trx, { name: v.name, identityProviderId: v.identity_provider_id, policy: v.policy, domains: [], sponsorIds: [] }));
    // A new organization too: insertOrganization does not take its language.
    await updateOrganization(trx, orgId, row);
    await replaceOrganizationLists(trx, orgId, { domains: v.domains, sponsorIds: v.sponsors, autoItemIds: autoItems });
    const after = { ...row, domains: v.domains, sponsors: v.sponsors, auto_items: autoItems };
    await appendAudit(trx, ctx, {
      action: id ? 'organization.updated' : 'organization.created',
      target: `organization:${orgId}`,
      details: { changes: diff(before ? { ...before } : null, after) },
    });
    // Open requests follow the sponsors: a sponsor removed stops deciding them, the new ones get them
    // (and a mail), in this same transaction, so no request is left waiting for nobody.
    const sameSponsors = before && before.sponsors.length === v.sponsors.length && v.sponsors.every((s) => before.sponsors.includes(s));
    if (before && !sameSponsors) await rerouteOpenRequests(trx, deps.config, ctx, { organizationId: orgId });
    return orgId;
  });
}
