import type { Db, Tx } from './knex.ts';
import type { DomainAuthority } from '../domain/vouching.ts';
import { listsDomain } from './identityProviders.ts';

/** Who may vouch for addresses at a domain: the IdPs listing it (disabled ones too) and the organization holding it. */
export async function domainAuthority(db: Db | Tx, domain: string): Promise<DomainAuthority> {
  const d = domain.toLowerCase();
  const [idps, org] = await Promise.all([
    db('identity_providers').whereNot({ kind: 'email' }).select('id', 'email_domains'),
    db('organization_domains')
      .join('partner_organizations', 'partner_organizations.id', 'organization_domains.organization_id')
      .where('organization_domains.domain', d)
      .first('partner_organizations.identity_provider_id'),
  ]);
  return {
    listedBy: (idps as { id: number; email_domains: string }[]).filter((p) => listsDomain(p.email_domains, d)).map((p) => Number(p.id)),
    organization: org ? { identityProviderId: org.identity_provider_id === null ? null : Number(org.identity_provider_id) } : null,
  };
}
