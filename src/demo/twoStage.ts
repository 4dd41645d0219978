// The demo's two-stage item (issue 18, point 3), added by `npm start` only (tests build their own):
// "Atlas Design Vault", owned by Sue and asking its owners for a second approval. Paula (Acme) asks for
// it; Sam, Acme's sponsor, approves stage 1; Sue, the owner, is mailed and approves stage 2; only then
// is Paula invited. Running it again changes nothing.
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/knex.ts';
import { findUserByEmail } from '../db/users.ts';
import { insertItem, itemNameTaken, setOwners } from '../db/catalog.ts';
import { appendAudit } from '../db/audit.ts';

export const TWO_STAGE_DEMO_ITEM = 'Atlas Design Vault';

export async function seedTwoStageDemo(db: Db): Promise<void> {
  await inTransaction(db, async (trx) => {
    if (await itemNameTaken(trx, TWO_STAGE_DEMO_ITEM, null)) return;
    const sue = await findUserByEmail(trx, 'member', 'sue.sponsor@passerelle.test');
    if (!sue) return;
    const item = {
      kind: 'group' as const,
      name: TWO_STAGE_DEMO_ITEM,
      description: 'Drawings and test reports of Project Atlas. Approved by your sponsor, then by the vault’s owner.',
      launch_url: null,
      max_days: 90,
      second_approval: 'owners' as const,
    };
    const id = await insertItem(trx, item);
    await setOwners(trx, id, [sue.id]);
    const ctx = { actor: { type: 'system' as const, id: 'system:seed', label: null }, ip: null, correlationId: 'seed' };
    await appendAudit(trx, ctx, { action: 'catalog.item_created', target: `item:${id}`, details: { name: item.name, kind: item.kind, secondApproval: 'owners' } });
  });
}
