import type { Db, Tx } from './knex.ts';
import type { CatalogItem, User } from './rows.ts';
import { findItemsByIds } from './catalog.ts';
import { runningMemberships } from './memberships.ts';
import { nowIso } from '../domain/clock.ts';

export interface GuestRow extends User {
  organization_name: string | null;
  sponsors: string[];
  memberships: { item_id: number; name: string; expires_at: string | null }[];
}

const PAGE = 25;

/** Guests matching a search on name or e-mail, a page at a time, with what the list shows. */
export async function searchGuests(db: Db | Tx, q: string, page: number): Promise<{ rows: GuestRow[]; hasMore: boolean }> {
  const term = q.trim().toLowerCase();
  const base = db<User>('users').where({ user_type: 'guest' });
  if (term) {
    const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base.where((w) => w.whereRaw("lower(display_name) like ? escape '\\'", [like]).orWhereRaw("email like ? escape '\\'", [like]));
  }
  const users = await base.orderBy('email').limit(PAGE + 1).offset((page - 1) * PAGE);
  const pageRows = users.slice(0, PAGE);
  return { rows: await decorate(db, pageRows), hasMore: users.length > PAGE };
}

export async function findGuest(db: Db | Tx, id: number): Promise<GuestRow | undefined> {
  const user = await db<User>('users').where({ id, user_type: 'guest' }).first();
  return user ? (await decorate(db, [user]))[0] : undefined;
}

async function decorate(db: Db | Tx, users: User[]): Promise<GuestRow[]> {
  if (users.length === 0) return [];
  const ids = users.map((u) => u.id);
  const sponsors = await db('guest_sponsors').join('users', 'users.id', 'guest_sponsors.sponsor_id').whereIn('guest_id', ids).select('guest_id', 'users.email');
  const memberships: { user_id: number; item_id: number; name: string; expires_at: string | null }[] = await db('memberships')
    .join('catalog_items', 'catalog_items.id', 'memberships.item_id')
    .whereIn('memberships.user_id', ids)
    .modify(runningMemberships)
    .select('memberships.user_id', 'memberships.item_id', 'catalog_items.name', 'memberships.expires_at')
    .orderBy('catalog_items.name');
  const domains = [...new Set(users.map((u) => u.email.split('@')[1]))];
  const orgs = await db('organization_domains')
    .join('partner_organizations', 'partner_organizations.id', 'organization_domains.organization_id')
    .whereIn('organization_domains.domain', domains)
    .select('organization_domains.domain', 'partner_organizations.name');
  return users.map((u) => ({
    ...u,
    organization_name: orgs.find((o) => o.domain === u.email.split('@')[1])?.name ?? null,
    sponsors: sponsors.filter((s) => s.guest_id === u.id).map((s) => s.email as string),
    memberships: memberships.filter((m) => m.user_id === u.id).map((m) => ({ item_id: Number(m.item_id), name: m.name, expires_at: m.expires_at })),
  }));
}

export async function guestsOfItem(db: Db | Tx, itemId: number): Promise<(User & { expires_at: string | null })[]> {
  return db('users')
    .join('memberships', 'memberships.user_id', 'users.id')
    .where({ 'memberships.item_id': itemId, 'users.user_type': 'guest' })
    .modify(runningMemberships)
    .select('users.*', 'memberships.expires_at')
    .orderBy('users.email');
}

/** Adds a sponsor once; false when they already sponsor this guest. */
export async function addGuestSponsor(trx: Tx, guestId: number, sponsorId: number): Promise<boolean> {
  if (await trx('guest_sponsors').where({ guest_id: guestId, sponsor_id: sponsorId }).first()) return false;
  await trx('guest_sponsors').insert({ guest_id: guestId, sponsor_id: sponsorId });
  return true;
}

/** False when they did not sponsor this guest. */
export async function removeGuestSponsor(trx: Tx, guestId: number, sponsorId: number): Promise<boolean> {
  return Number(await trx('guest_sponsors').where({ guest_id: guestId, sponsor_id: sponsorId }).delete()) > 0;
}

/**
 * Ends the guest's running membership of the item now; false when none was running. The row stays,
 * marked ended as an expiry marks it, so that a guest left with nothing is retired after the grace
 * period like any other (src/db/guestRetirements.ts counts from the last end), and granting the item
 * again starts it afresh in the same row.
 */
export async function removeGuestMembership(trx: Tx, guestId: number, itemId: number): Promise<boolean> {
  const at = nowIso();
  return Number(await trx('memberships').where({ user_id: guestId, item_id: itemId }).modify(runningMemberships, at).update({ access_ended_at: at, expires_at: at })) > 0;
}

/** Returns how many there were. */
export async function removeAllGuestMemberships(trx: Tx, guestId: number): Promise<number> {
  return Number(await trx('memberships').where({ user_id: guestId }).delete());
}

/** Every item the guest holds, expired memberships included (what an invitation mail lists). */
export async function itemsOfGuest(db: Db | Tx, guestId: number): Promise<CatalogItem[]> {
  const ids = (await db('memberships').where({ user_id: guestId }).select('item_id')).map((r) => Number(r.item_id));
  return findItemsByIds(db, ids);
}

/**
 * Moves a guest to `to` only from one of the states `from`, in the statement itself, so a change
 * made meanwhile by someone else wins; false when the guest was in none of them.
 */
export async function changeGuestState(trx: Tx, guestId: number, from: User['state'][], to: User['state']): Promise<boolean> {
  return Number(await trx('users').where({ id: guestId }).whereIn('state', from).update({ state: to })) > 0;
}

/** The members who sponsor a guest, with the address their mail goes to. */
export async function sponsorsOfGuest(db: Db | Tx, guestId: number): Promise<{ id: number; email: string }[]> {
  const rows = await db('guest_sponsors').join('users', 'users.id', 'guest_sponsors.sponsor_id').where({ 'guest_sponsors.guest_id': guestId }).select('users.id', 'users.email');
  return rows.map((r) => ({ id: Number(r.id), email: r.email as string }));
}

/** False when the guest was removed already. */
export async function markGuestRemoved(trx: Tx, guestId: number): Promise<boolean> {
  return Number(await trx('users').where({ id: guestId }).whereNot({ state: 'removed' }).update({ state: 'removed' })) > 0;
}
