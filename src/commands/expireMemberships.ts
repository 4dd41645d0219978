// Memberships reaching the end of their term. Access already stops at expires_at (every check reads
// it); this acts on the end once: audited, and the apps concerned told through the outbox.
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { expiredUnendedMemberships, markAccessEnded } from '../db/memberships.ts';
import { noteAppAccessEnded } from './appAccessEnded.ts';

/** One batch, one transaction; returns how many memberships it ended (0: none left). */
export async function endExpiredMemberships(deps: Deps, ctx: AuditContext, batch = 200): Promise<number> {
  // Asked every sweep: with nothing to end, no write transaction (and no wait for the audit head).
  if ((await expiredUnendedMemberships(deps.db, new Date().toISOString(), 1)).length === 0) return 0;
  return inTransaction(deps.db, async (trx) => {
    const at = new Date().toISOString();
    const expired = await expiredUnendedMemberships(trx, at, batch);
    const itemsByUser = new Map<number, number[]>();
    for (const m of expired) {
      if (!(await markAccessEnded(trx, m.id, at))) continue;
      await appendAudit(trx, ctx, { action: 'membership.expired', target: `user:${m.user_id}`, details: { item: m.item_name, itemId: m.item_id, expiresAt: m.expires_at } });
      itemsByUser.set(m.user_id, [...(itemsByUser.get(m.user_id) ?? []), m.item_id]);
    }
    for (const [userId, itemIds] of itemsByUser) await noteAppAccessEnded(trx, userId, itemIds);
    return expired.length;
  });
}
