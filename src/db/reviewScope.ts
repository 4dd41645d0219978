// The guest memberships an access review asks about when it opens, with what assigning each its
// reviewer needs (the guest's sponsors, the item's owners).
import type { Db, Tx } from './knex.ts';
import type { ReviewScope } from '../domain/reviews.ts';

/** The memberships a new campaign asks about, with what assigning their reviewer needs. */
export interface ScopedMembership {
  guest_id: number;
  guest_name: string;
  guest_email: string;
  organization_name: string | null;
  item_id: number;
  item_name: string;
  expires_at: string | null;
  sponsorIds: number[];
  ownerIds: number[];
}

/**
 * Guests' memberships in a campaign's scope, unexpired, with the guests' sponsors (those named for
 * them, else the decider of their latest request) and the items' owners (active members only).
 */
export async function membershipsInScope(db: Db | Tx, scope: ReviewScope, scopeId: number | null, at: string): Promise<ScopedMembership[]> {
  const q = db('memberships as m')
    .join('users as u', 'u.id', 'm.user_id')
    .join('catalog_items as c', 'c.id', 'm.item_id')
    .where('u.user_type', 'guest')
    .whereNot('u.state', 'removed')
    .where((w) => w.whereNull('m.expires_at').orWhere('m.expires_at', '>', at))
    .orderBy('u.email')
    .orderBy('c.name')
    .select('u.id as guest_id', 'u.display_name as guest_name', 'u.email as guest_email', 'c.id as item_id', 'c.name as item_name', 'm.expires_at');
  if (scope === 'item') q.where('m.item_id', scopeId ?? 0);
  if (scope === 'organization') {
    const domains = (await db('organization_domains').where({ organization_id: scopeId ?? 0 }).select('domain')).map((d) => String(d.domain).toLowerCase());
    if (!domains.length) return [];
    q.where((w) => {
      for (const d of domains) w.orWhereRaw("lower(u.email) like ? escape '\\'", [`%@${d.replace(/[\\%_]/g, (ch) => `\\${ch}`)}`]);
    });
  }
  const rows = await q;
  if (!rows.length) return [];
  const guestIds = [...new Set(rows.map((r) => Number(r.guest_id)))];
  const itemIds = [...new Set(rows.map((r) => Number(r.item_id)))];
  const sponsors: { guest_id: number; sponsor_id: number }[] = [];
  for (let i = 0; i < guestIds.length; i += 500) {
    sponsors.push(
      ...(await db('guest_sponsors as s')
        .join('users as su', 'su.id', 's.sponsor_id')
        .whereIn('s.guest_id', guestIds.slice(i, i + 500))
        .where({ 'su.user_type': 'member', 'su.state': 'active' })
        .select('s.guest_id', 's.sponsor_id')),
    );
  }
  // A guest nobody named a sponsor for (a request approved, not an invitation) is sponsored by the
  // member who decided their latest request, as leaving the organization tells them (db/leaving.ts).
  const unsponsored = guestIds.filter((g) => !sponsors.some((s) => Number(s.guest_id) === g));
  for (let i = 0; i < unsponsored.length; i += 500) {
    const deciders = await db('access_requests as ar')
      .join('users as du', 'du.id', 'ar.decided_by')
      .whereIn('ar.guest_user_id', unsponsored.slice(i, i + 500))
      .where({ 'du.user_type': 'member', 'du.state': 'active' })
      .orderBy('ar.decided_at', 'desc')
      .orderBy('ar.id', 'desc')
      .select('ar.guest_user_id', 'ar.decided_by');
    const seen = new Set<number>();
    for (const d of deciders) {
      if (seen.has(Number(d.guest_user_id))) continue;
      seen.add(Number(d.guest_user_id));
      sponsors.push({ guest_id: Number(d.guest_user_id), sponsor_id: Number(d.decided_by) });
    }
  }
  const owners = await db('catalog_owners as o')
    .join('users as ou', 'ou.id', 'o.user_id')
    .whereIn('o.item_id', itemIds)
    .where({ 'ou.user_type': 'member', 'ou.state': 'active' })
    .select('o.item_id', 'o.user_id');
  const orgs = await db('organization_domains').join('partner_organizations', 'partner_organizations.id', 'organization_domains.organization_id').select('organization_domains.domain', 'partner_organizations.name');
  const orgOf = new Map(orgs.map((o) => [String(o.domain).toLowerCase(), String(o.name)]));
  const sponsorsOf = new Map<number, number[]>();
  for (const s of sponsors) sponsorsOf.set(Number(s.guest_id), [...(sponsorsOf.get(Number(s.guest_id)) ?? []), Number(s.sponsor_id)]);
  const ownersOf = new Map<number, number[]>();
  for (const o of owners) ownersOf.set(Number(o.item_id), [...(ownersOf.get(Number(o.item_id)) ?? []), Number(o.user_id)]);
  return rows.map((r) => ({
    guest_id: Number(r.guest_id),
    guest_name: r.guest_name,
    guest_email: r.guest_email,
    organization_name: orgOf.get(String(r.guest_email).slice(String(r.guest_email).lastIndexOf('@') + 1).toLowerCase()) ?? null,
    item_id: Number(r.item_id),
    item_name: r.item_name,
    expires_at: r.expires_at ?? null,
    sponsorIds: sponsorsOf.get(Number(r.guest_id)) ?? [],
    ownerIds: ownersOf.get(Number(r.item_id)) ?? [],
  }));
}
