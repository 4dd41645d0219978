import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { findItem, insertItem, ownersOf, setOwners, updateItem } from '../../db/catalog.ts';
import { invalid, notFound } from '../../domain/errors.ts';
import { checkbox, fieldErrors, httpUrl, idList } from '../../domain/validation.ts';
import { diff } from './changes.ts';
import { rerouteOpenRequests } from '../routeToApprovers.ts';

const schema = z.object({
  kind: z.enum(['group', 'app'], { message: 'validation.choice' }),
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).default(''),
  launch_url: z.union([z.literal(''), httpUrl]).optional().transform((v) => v || null),
  requestable: checkbox,
  self_service: checkbox,
  audience: z.enum(['anyone', 'known_partners'], { message: 'validation.choice' }),
  max_days: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || (/^\d{1,4}$/.test(v) && Number(v) >= 1 && Number(v) <= 3650), 'validation.number')
    .transform((v) => (v ? Number(v) : null)),
  owners: idList,
});

export async function saveItem(deps: Deps, ctx: AuditContext, id: number | null, form: unknown): Promise<number> {
  const { db } = deps;
  const parsed = schema.safeParse(form);
  const fields = parsed.success ? {} : fieldErrors(parsed.error);
  const before = id ? await findItem(db, id) : undefined;
  if (id && !before) throw notFound();
  const raw = (form ?? {}) as Record<string, unknown>;
  if (raw.kind === 'app' && !raw.launch_url && !fields.launch_url) fields.launch_url = 'validation.required';
  if (raw.self_service !== undefined && [].concat((raw.owners as never) ?? []).length === 0) fields.owners = 'catalog.ownersNeeded';
  if (parsed.success) {
    const v = parsed.data;
    if (await db('catalog_items').where({ name: v.name }).modify((q) => (id ? q.whereNot({ id }) : q)).first()) fields.name = 'validation.taken';
    const members = v.owners.length ? await db('users').whereIn('id', v.owners).where({ user_type: 'member' }) : [];
    if (members.length !== v.owners.length) fields.owners = 'validation.choice';
  }
  if (!parsed.success || Object.keys(fields).length) throw invalid('errors.invalidForm', fields);
  const { owners, ...item } = parsed.data!;
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
    // Who decides this item's open requests may have changed with its owners or its self-service switch.
    const sameOwners = beforeOwners.length === owners.length && beforeOwners.every((o) => owners.includes(o));
    if (before && (!sameOwners || Boolean(before.self_service) !== row.self_service)) {
      await rerouteOpenRequests(trx, deps.config, ctx, { itemId });
    }
    return itemId;
  });
}
