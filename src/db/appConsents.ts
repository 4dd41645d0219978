// A person's consent to what an app receives, remembered per app until withdrawn.
import type { Db, Tx } from './knex.ts';
import type { AppClaim } from './rows.ts';

export interface Consent {
  user_id: number;
  item_id: number;
  claims: AppClaim[];
  granted_at: string;
}

export async function findConsent(db: Db | Tx, userId: number, itemId: number): Promise<Consent | undefined> {
  const row = await db('app_consents').where({ user_id: userId, item_id: itemId }).first();
  return row && { ...row, user_id: Number(row.user_id), item_id: Number(row.item_id), claims: JSON.parse(row.claims) as AppClaim[] };
}

export async function saveConsent(trx: Tx, userId: number, itemId: number, claims: AppClaim[]): Promise<void> {
  await trx('app_consents')
    .insert({ user_id: userId, item_id: itemId, claims: JSON.stringify(claims), granted_at: new Date().toISOString() })
    .onConflict(['user_id', 'item_id'])
    .merge();
}

export async function deleteConsent(trx: Tx, userId: number, itemId: number): Promise<boolean> {
  return (await trx('app_consents').where({ user_id: userId, item_id: itemId }).delete()) > 0;
}

export async function consentedItemIds(db: Db | Tx, userId: number): Promise<number[]> {
  return (await db('app_consents').where({ user_id: userId }).select('item_id')).map((r: { item_id: number }) => Number(r.item_id));
}
