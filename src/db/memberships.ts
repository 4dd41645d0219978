import type { Knex } from 'knex';
import type { Db, Tx } from './knex.ts';
import type { CatalogItem } from './rows.ts';
import { nowIso } from '../domain/clock.ts';

/**
 * Grants an item once: the (user, item) pair is unique, so a rerun changes nothing. A membership that
 * has expired is granted anew in its row (its end already told the apps, so that mark is cleared).
 */
export async function grantMembership(
  trx: Tx,
  m: { userId: number; itemId: number; source: string; sourceId: number | null; grantedBy: number | null; expiresAt: string | null },
): Promise<boolean> {
  const existing = await trx('memberships').where({ user_id: m.userId, item_id: m.itemId }).first();
  // Still running: a rerun (or an extension, see membershipNotices.ts) changes nothing here.
  if (existing && existing.access_ended_at == null && (existing.expires_at === null || existing.expires_at > nowIso())) return false;
  if (existing) {
    await trx('memberships').where({ id: existing.id }).update({
      source: m.source,
      source_id: m.sourceId,
      granted_by: m.grantedBy,
      expires_at: m.expiresAt,
      created_at: nowIso(),
      access_ended_at: null,
    });
    return true;
  }
  await trx('memberships').insert({
    user_id: m.userId,
    item_id: m.itemId,
    source: m.source,
    source_id: m.sourceId,
    granted_by: m.grantedBy,
    expires_at: m.expiresAt,
    created_at: nowIso(),
  });
  return true;
}

/** Narrows a query joined to memberships to those that open something now: not ended, not past their term. */
export function runningMemberships(q: Knex.QueryBuilder, at = nowIso()): Knex.QueryBuilder {
  return q.whereNull('memberships.access_ended_at').where((w) => w.whereNull('memberships.expires_at').orWhere('memberships.expires_at', '>', at));
}

export type MembershipView = CatalogItem & { expires_at: string | null; granted_at: string; membership_id: number };

export async function membershipsOf(db: Db | Tx, userId: number): Promise<MembershipView[]> {
  const rows: MembershipView[] = await db('memberships')
    .join('catalog_items', 'memberships.item_id', 'catalog_items.id')
    .where('memberships.user_id', userId)
    // An ended membership is gone from the guest's access, whatever the clock says.
    .modify(runningMemberships)
    .select('catalog_items.*', 'memberships.expires_at', 'memberships.created_at as granted_at', 'memberships.id as membership_id')
    .orderBy(['catalog_items.kind', 'catalog_items.name']);
  return rows.map((r) => ({ ...r, requestable: Boolean(r.requestable), membership_id: Number(r.membership_id) }));
}

/** Whether the person is a member now (an ended or expired membership's row is kept, for the record). */
export async function isMemberNow(db: Db | Tx, userId: number, itemId: number): Promise<boolean> {
  return Boolean(await db('memberships').where({ user_id: userId, item_id: itemId }).modify(runningMemberships).first('memberships.id'));
}

export async function hasMembership(db: Db | Tx, userId: number, itemId: number): Promise<boolean> {
  return Boolean(await db('memberships').where({ user_id: userId, item_id: itemId }).first());
}

export interface ExpiredMembership {
  id: number;
  user_id: number;
  item_id: number;
  item_name: string;
  expires_at: string;
}

/** Memberships whose term has passed and whose end has not been acted on yet, oldest first. */
export async function expiredUnendedMemberships(db: Db | Tx, at: string, limit: number): Promise<ExpiredMembership[]> {
  const rows = await db('memberships')
    .join('catalog_items', 'catalog_items.id', 'memberships.item_id')
    .whereNull('memberships.access_ended_at')
    .where('memberships.expires_at', '<=', at)
    .orderBy('memberships.id')
    .limit(limit)
    .select('memberships.id', 'memberships.user_id', 'memberships.item_id', 'catalog_items.name as item_name', 'memberships.expires_at');
  return rows.map((r) => ({ ...r, id: Number(r.id), user_id: Number(r.user_id), item_id: Number(r.item_id) }));
}

/** Conditional, so that an end already acted on is never acted on again. */
export async function markAccessEnded(trx: Tx, membershipId: number, at: string): Promise<boolean> {
  return Number(await trx('memberships').where({ id: membershipId }).whereNull('access_ended_at').update({ access_ended_at: at })) > 0;
}
