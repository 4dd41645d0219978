import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findItem, insertItem, itemNameTaken, ownersOf, setOwners, updateItem } from '../../db/catalog.ts';
import { membersAmong } from '../../db/users.ts';
import type { CatalogItem } from '../../db/rows.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { diff } from './changes.ts';
import type { Submitted } from './submitted.ts';
import type { ItemTimeouts } from '../../domain/requestTimeouts.ts';
import { rerouteOpenRequests } from '../routeToApprovers.ts';

export type CatalogItemInput = Pick<CatalogItem, 'kind' | 'name' | 'description' | 'launch_url' | 'requestable' | 'self_service' | 'audience' | 'max_days'> & Pick<CatalogItem, 'second_approval'> & ItemTimeouts & {
  owners: number[];
};

/** Creates (id null) or edits a catalog item and its owners. */
export async function saveCatalogItem(deps: Deps, ctx: AuditContext, id: number | null, form: Submitted<CatalogItemInput>): Promise<number> {
  const { db } = deps;
  const before = id ? await findItem(db, id) : undefined;
  if (id && !before) throw notFound();
  const fields = { ...form.fields };
  if (form.value) {
    const v = form.value;
    if (await itemNameTaken(db, v.name, id)) fields.name = 'validation.taken';
    if ((await membersAmong(db, v.owners)).length !== v.owners.length) fields.owners = 'validation.choice';
  }
  if (!form.value || Object.keys(fields).length) throw invalid('errors.invalidForm', fields);
  const { owners, ...item } = form.value;
  const row = { ...item, launch_url: item.kind === 'app' ? item.launch_url : null };
  return inTransaction(db, async (trx) => {
    const beforeOwners = id ? (await ownersOf(trx, id)).map((u) => u.id) : [];
    const itemId = id ?? (await insertItem(trx, row));
    if (id) await updateItem(trx, id, row);
    await setOwners(trx, itemId, owners);
    await appendAudit(trx, ctx, {
      action: id ? 'catalog.item_updated' : 'catalog.item_created',
      target: `item:${itemId}`,
      details: { changes: diff(before ? { ...before, owners: beforeOwners } : null, { ...row, owners }) },
    });
    // Who decides this item's open requests may have changed with its owners, its self-service switch
    // or who gives its second approval.
    const sameOwners = beforeOwners.length === owners.length && beforeOwners.every((o) => owners.includes(o));
    if (before && (!sameOwners || Boolean(before.self_service) !== row.self_service || (before.second_approval ?? null) !== (row.second_approval ?? null))) {
      await rerouteOpenRequests(trx, deps.config, ctx, { itemId });
    }
    return itemId;
  });
}
