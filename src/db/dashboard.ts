// What the admin home counts: what waits for someone, what ends soon, what failed. Three reads,
// whatever the size of the tables: the counts in one statement, the guests by state, the checkpoint.
import type { Knex } from 'knex';
import type { Db } from './knex.ts';
import type { User } from './rows.ts';
import { latestCheckpoint } from './auditCheckpoints.ts';
import { latestVerifications } from './auditVerifications.ts';
import type { Checkpoint } from '../domain/auditCheckpoint.ts';

const DAY = 86_400_000;

export interface AdminDashboard {
  pendingRequests: number;
  /** When the oldest request still waiting for a decision was made (null: none waits). */
  oldestPendingAt: string | null;
  /** Requests on hold while their requester answers a question. */
  waitingOnRequester: number;
  guestsByState: Record<User['state'], number>;
  /** Pending and not yet expired: the guest can still redeem them. */
  invitationsWaiting: number;
  /** Guests' memberships that end within `expiringWithinDays` (and have not ended yet). */
  membershipsExpiring: number;
  failedMails: number;
  lastCheckpoint: Pick<Checkpoint, 'seq' | 'at'> | null;
  /** The audit chain's last verification from the console, and one still waiting. */
  chain: Awaited<ReturnType<typeof latestVerifications>>;
}

export async function adminDashboard(db: Db, now: Date, expiringWithinDays = 30): Promise<AdminDashboard> {
  const at = now.toISOString();
  const until = new Date(now.getTime() + expiringWithinDays * DAY).toISOString();
  const sub = (q: Knex.QueryBuilder, alias: string) => db.raw(`(?) as ${alias}`, [q]);
  const [row] = await db.select(
    sub(db('access_requests').where({ status: 'pending' }).count('*'), 'pending_requests'),
    sub(db('access_requests').where({ status: 'pending' }).min('created_at'), 'oldest_pending_at'),
    sub(db('access_requests').where({ status: 'info_requested' }).count('*'), 'waiting_on_requester'),
    sub(db('invitations').where({ status: 'pending' }).where('expires_at', '>', at).count('*'), 'invitations_waiting'),
    sub(
      db('memberships')
        .join('users', 'users.id', 'memberships.user_id')
        .where('users.user_type', 'guest')
        .where('memberships.expires_at', '>', at)
        .where('memberships.expires_at', '<=', until)
        .count('*'),
      'memberships_expiring',
    ),
    sub(db('mail_messages').where({ status: 'failed' }).count('*'), 'failed_mails'),
  );
  const guestsByState: Record<User['state'], number> = { invited: 0, active: 0, disabled: 0, removed: 0 };
  const states = (await db('users').where({ user_type: 'guest' }).groupBy('state').select('state').count({ n: '*' })) as { state: string; n: number | string }[];
  for (const r of states) {
    if (r.state in guestsByState) guestsByState[r.state as User['state']] = Number(r.n);
  }
  const [checkpoint, chain] = await Promise.all([latestCheckpoint(db), latestVerifications(db)]);
  return {
    pendingRequests: Number(row.pending_requests),
    oldestPendingAt: row.oldest_pending_at ?? null,
    waitingOnRequester: Number(row.waiting_on_requester),
    guestsByState,
    invitationsWaiting: Number(row.invitations_waiting),
    membershipsExpiring: Number(row.memberships_expiring),
    failedMails: Number(row.failed_mails),
    lastCheckpoint: checkpoint ? { seq: checkpoint.seq, at: checkpoint.at } : null,
    chain,
  };
}
