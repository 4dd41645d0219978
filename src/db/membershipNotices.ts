// Memberships nearing their end, and the notices sent about them: the expiry notice sweep's rows,
// selected by the database ("a threshold reached and not yet noticed for this term") and stamped by a
// conditional insert (the unique membership × threshold × term), so that two workers never send twice.
import type { Knex } from 'knex';
import { isSqlite, type Db, type Tx } from './knex.ts';
import { daysAfter } from '../domain/accessExpiry.ts';

export interface NearingEnd {
  id: number;
  user_id: number;
  item_id: number;
  item_name: string;
  expires_at: string;
  /** When this term was granted (a re-grant starts a new one): a notice longer than the term is not sent. */
  created_at: string;
  email: string;
}

/** The membership's whole term (its end minus its grant) is longer than `days` days. */
function termLongerThan(db: Db | Tx, days: number): Knex.Raw {
  return isSqlite(db as Db)
    ? db.raw('julianday(m.expires_at) - julianday(m.created_at) > ?', [days])
    : db.raw('CAST(m.expires_at AS timestamptz) - CAST(m.created_at AS timestamptz) > make_interval(days => ?)', [days]);
}

/** Active guests' memberships ending after `nowMs` for which one of `days` is reached with no notice sent for this term. */
export async function membershipsDueNotice(db: Db | Tx, days: number[], nowMs: number, limit: number): Promise<NearingEnd[]> {
  if (days.length === 0) return [];
  const at = new Date(nowMs).toISOString();
  const rows = await db('memberships as m')
    .join('catalog_items as c', 'c.id', 'm.item_id')
    .join('users as u', 'u.id', 'm.user_id')
    .whereNull('m.access_ended_at')
    .whereNotNull('m.expires_at')
    .where('m.expires_at', '>', at)
    .where('m.expires_at', '<=', daysAfter(nowMs, Math.max(...days)))
    .where({ 'u.state': 'active', 'u.user_type': 'guest' })
    .where((w) => {
      for (const d of days) {
        w.orWhere((x) =>
          x.where('m.expires_at', '<=', daysAfter(nowMs, d)).where(termLongerThan(db, d)).whereNotExists((n) =>
            n.from('membership_notices as n').whereRaw('n.membership_id = m.id').whereRaw('n.expires_at = m.expires_at').where('n.days', d).select(db.raw('1')),
          ),
        );
      }
    })
    .orderBy('m.expires_at')
    .orderBy('m.id')
    .limit(limit)
    .select('m.id', 'm.user_id', 'm.item_id', 'c.name as item_name', 'm.expires_at', 'm.created_at', 'u.email');
  return rows.map((r) => ({ ...r, id: Number(r.id), user_id: Number(r.user_id), item_id: Number(r.item_id) }));
}

/** Stamps the notice of this threshold for this term; false when it was stamped already (another worker, an earlier run). */
export async function stampNotice(trx: Tx, membershipId: number, days: number, expiresAt: string, at: string): Promise<boolean> {
  const rows = await trx('membership_notices')
    .insert({ membership_id: membershipId, days, expires_at: expiresAt, sent_at: at })
    .onConflict(['membership_id', 'days', 'expires_at'])
    .ignore()
    .returning('id');
  return rows.length > 0;
}

/** A guest's own membership, whatever its state: what the "ask to extend" page offers. */
export interface OwnMembership {
  id: number;
  user_id: number;
  item_id: number;
  item_name: string;
  item_kind: 'group' | 'app';
  max_days: number | null;
  expires_at: string | null;
  access_ended_at: string | null;
}

export async function membershipOfUser(db: Db | Tx, membershipId: number, userId: number): Promise<OwnMembership | undefined> {
  const row = await db('memberships as m')
    .join('catalog_items as c', 'c.id', 'm.item_id')
    .where({ 'm.id': membershipId, 'm.user_id': userId })
    .first('m.id', 'm.user_id', 'm.item_id', 'c.name as item_name', 'c.kind as item_kind', 'c.max_days', 'm.expires_at', 'm.access_ended_at');
  return row && { ...row, id: Number(row.id), user_id: Number(row.user_id), item_id: Number(row.item_id), max_days: row.max_days == null ? null : Number(row.max_days) };
}

const OPEN = ['pending', 'info_requested', 'approved'];

/** The open request extending this membership, if one was asked and not yet decided or provisioned. */
export async function openExtensionOf(db: Db | Tx, membershipId: number): Promise<{ id: number; created_at: string } | undefined> {
  const row = await db('access_requests').where({ extension_of: membershipId }).whereIn('status', OPEN).first('id', 'created_at');
  return row && { id: Number(row.id), created_at: row.created_at };
}

/** Of these memberships, those with an open extension request: My access offers no second. */
export async function membershipsWithOpenExtension(db: Db | Tx, membershipIds: number[]): Promise<Map<number, number>> {
  if (membershipIds.length === 0) return new Map();
  const rows = await db('access_requests').whereIn('extension_of', membershipIds).whereIn('status', OPEN).select('id', 'extension_of');
  return new Map(rows.map((r) => [Number(r.extension_of), Number(r.id)]));
}

/**
 * Moves an unended membership's end to `expiresAt` when that is later; returns the end it had, or
 * undefined when nothing moved (no such membership, ended, with no end, or already ending later).
 */
export async function extendMembership(trx: Tx, userId: number, itemId: number, expiresAt: string | null, requestId: number): Promise<{ from: string } | undefined> {
  const row = await trx('memberships').where({ user_id: userId, item_id: itemId }).whereNull('access_ended_at').whereNotNull('expires_at').first('id', 'expires_at');
  if (!row || (expiresAt !== null && expiresAt <= row.expires_at)) return undefined;
  const n = await trx('memberships')
    .where({ id: row.id, expires_at: row.expires_at })
    .whereNull('access_ended_at')
    .update({ expires_at: expiresAt, source: 'request', source_id: requestId });
  return Number(n) > 0 ? { from: row.expires_at } : undefined;
}
