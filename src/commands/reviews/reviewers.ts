// The people a campaign's mails go to: each named reviewer, and for the rows given to the admins
// every active admin (any of them may answer those).
import type { Tx } from '../../db/knex.ts';
import type { User } from '../../db/rows.ts';
import { activeUsersIn } from '../../db/reviews.ts';

export async function reviewersToMail(trx: Tx, counts: Map<number | null, number>, admins: User[]): Promise<{ user: { id: number; email: string }; count: number }[]> {
  const named = [...counts.keys()].filter((id): id is number => id !== null);
  const users = await activeUsersIn(trx, named);
  const out = new Map<number, { user: { id: number; email: string }; count: number }>();
  for (const u of users) out.set(u.id, { user: u, count: counts.get(u.id) ?? 0 });
  const forAdmins = counts.get(null) ?? 0;
  if (forAdmins) {
    for (const a of admins) {
      const id = Number(a.id);
      const own = out.get(id);
      out.set(id, { user: { id, email: a.email }, count: (own?.count ?? 0) + forAdmins });
    }
  }
  return [...out.values()].sort((a, b) => a.user.id - b.user.id);
}
