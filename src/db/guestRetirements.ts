// Guests whose last membership ended: disabled after a grace period, removed after a further one,
// by the system. Selected by the database ("due and not yet done"); each step stamped once per "last
// end" of the guest (the unique user × ended_at), so a guest an admin enables again is not disabled
// again for the same end, and two workers never act twice.
import type { Knex } from 'knex';
import type { Db, Tx } from './knex.ts';

export interface RetirementDue {
  user_id: number;
  email: string;
  state: 'active' | 'invited' | 'disabled';
  /** When the guest's last membership ended. */
  ended_at: string;
}

const OPEN_REQUEST = ['pending', 'info_requested', 'approved'];

/** No membership of the guest is still running, and no request of theirs is waiting for a decision or its provisioning. */
function nothingRunning(db: Db | Tx, q: Knex.QueryBuilder): Knex.QueryBuilder {
  return q
    .whereNotExists((m) => m.from('memberships as live').whereRaw('live.user_id = u.id').whereNull('live.access_ended_at').select(db.raw('1')))
    .whereNotExists((r) =>
      r
        .from('access_requests as ar')
        .join('user_identities as ui', (j) => j.on('ui.issuer', '=', 'ar.requester_issuer').andOn('ui.subject', '=', 'ar.requester_subject'))
        .whereRaw('ui.user_id = u.id')
        .whereIn('ar.status', OPEN_REQUEST)
        .select(db.raw('1')),
    );
}

/** Active or invited guests whose memberships all ended, the last one before `before`, not yet disabled for that end. */
export async function guestsDueDisabling(db: Db | Tx, before: string, limit: number): Promise<RetirementDue[]> {
  const q = db('users as u')
    .join('memberships as m', 'm.user_id', 'u.id')
    .where('u.user_type', 'guest')
    .whereIn('u.state', ['active', 'invited'])
    .groupBy('u.id', 'u.email', 'u.state')
    .havingRaw('max(m.access_ended_at) <= ?', [before])
    .havingRaw('count(m.access_ended_at) = count(*)')
    .whereNotExists((g) => g.from('guest_retirements as g').whereRaw('g.user_id = u.id').whereRaw('g.ended_at = (select max(e.access_ended_at) from memberships e where e.user_id = u.id)').select(db.raw('1')))
    .orderBy('u.id')
    .limit(limit)
    .select('u.id as user_id', 'u.email', 'u.state', db.raw('max(m.access_ended_at) as ended_at'));
  const rows = await nothingRunning(db, q);
  return rows.map((r: RetirementDue) => ({ ...r, user_id: Number(r.user_id) }));
}

/** Stamps the disabling for this end; false when it was stamped already. */
export async function stampDisabled(trx: Tx, userId: number, endedAt: string, at: string): Promise<boolean> {
  const rows = await trx('guest_retirements').insert({ user_id: userId, ended_at: endedAt, disabled_at: at }).onConflict(['user_id', 'ended_at']).ignore().returning('id');
  return rows.length > 0;
}

/** Guests still disabled for inactivity since before `before`, with nothing granted since: due for removal. */
export async function guestsDueRemoval(db: Db | Tx, before: string, limit: number): Promise<(RetirementDue & { retirement_id: number })[]> {
  const q = db('guest_retirements as g')
    .join('users as u', 'u.id', 'g.user_id')
    .where('u.state', 'disabled')
    .whereNotNull('g.disabled_at')
    .whereNull('g.removed_at')
    .where('g.disabled_at', '<=', before)
    // Disabled for their latest end: something granted and ended since is a new end, with its own grace.
    .whereRaw('g.ended_at = (select max(e.access_ended_at) from memberships e where e.user_id = u.id)')
    .orderBy('g.id')
    .limit(limit)
    .select('g.id as retirement_id', 'u.id as user_id', 'u.email', 'u.state', 'g.ended_at');
  const rows = await nothingRunning(db, q);
  return rows.map((r: RetirementDue & { retirement_id: number }) => ({ ...r, user_id: Number(r.user_id), retirement_id: Number(r.retirement_id) }));
}

/** Stamps the removal; false when another run stamped it first. */
export async function stampRemoved(trx: Tx, retirementId: number, at: string): Promise<boolean> {
  return Number(await trx('guest_retirements').where({ id: retirementId }).whereNull('removed_at').update({ removed_at: at })) > 0;
}
