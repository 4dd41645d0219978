// What a sponsor decided on a request, as the mails that follow it tell the partner (the invitation,
// or "access ready" to someone already a guest): the items approved, those denied and why, and the
// day her access ends. In her language, as rows under the words and as placeholders of the admin's
// wording; the inviter's personal message stays the inviter's own.
import type { Db, Tx } from '../db/knex.ts';
import type { AccessRequest, CatalogItem } from '../db/rows.ts';
import { decidedItemsOf } from '../db/requests.ts';
import { grantExpiry } from '../domain/accessDates.ts';
import type { DecisionDetails } from './templates.ts';

/**
 * The day access granted at `grantedAt` ends: the same for every item (the day granted, or the
 * items' one limit), null when none of them ends, undefined when they end on different days (the
 * partner's access page then says each item's).
 */
export function accessEndDay(items: Pick<CatalogItem, 'max_days'>[], grantedAt: number, until: string | null | undefined): string | null | undefined {
  const days = new Set(items.map((i) => grantExpiry(i, grantedAt, until)?.slice(0, 10) ?? null));
  if (days.size !== 1) return undefined;
  return [...days][0];
}

/** What the sponsor decided on an approved request, for access granted at `grantedAt`. */
export async function decisionOfRequest(db: Db | Tx, request: Pick<AccessRequest, 'id' | 'decision_reason' | 'granted_until'>, grantedAt: number): Promise<DecisionDetails> {
  const items = await decidedItemsOf(db, request.id);
  const approved = items.filter((i) => i.decision !== 'denied');
  const denied = items.filter((i) => i.decision === 'denied');
  return {
    approved: approved.map((i) => i.name),
    denied: denied.map((i) => i.name),
    // The reason a sponsor gives with a partial approval is why the rest was denied.
    reason: denied.length ? (request.decision_reason ?? null) : null,
    accessUntil: accessEndDay(approved, grantedAt, request.granted_until),
  };
}
