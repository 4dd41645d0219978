// Who, among the people routed for a request's current stage, still decides it: the same rule as a
// decision's (stillApproverOf). The mails that ask someone to act on a request (a time-out's
// reminder, "the requester answered") go only to them, not to a routed row the rule no longer names
// (a sponsor removed from the organization, an owner who no longer owns the item).
import type { Db, Tx } from '../db/knex.ts';
import type { AccessRequest } from '../db/rows.ts';
import { stillApproverOf } from './routeToApprovers.ts';

export async function stillDeciding<T extends { id: number }>(db: Db | Tx, request: Pick<AccessRequest, 'id' | 'organization_id'>, people: T[]): Promise<T[]> {
  const out: T[] = [];
  for (const person of people) if ((await stillApproverOf(db, person.id, [request])).has(request.id)) out.push(person);
  return out;
}
