import { z } from 'zod';
import type { CatalogItemInput } from '../../commands/admin/saveCatalogItem.ts';
import type { Submitted } from '../../commands/admin/submitted.ts';
import { checkbox, httpUrl, idList, parseForm } from './fields.ts';
import { ITEM_FIELDS, orderErrors, timeoutDays } from './requestTimeouts.ts';

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
  // Two-stage approval: who gives the second approval, if any (empty: none).
  second_approval: z.enum(['', 'owners', 'admins'], { message: 'validation.choice' }).optional().transform((v) => v || null),
  // Pending requests' time-outs for this item, in days: empty follows Settings, 0 turns the step off.
  remind_after_days: timeoutDays,
  escalate_after_days: timeoutDays,
  expire_after_days: timeoutDays,
});

/** The catalog item form, with the rules between its fields read from what was posted, so they show even when other fields are wrong. */
export function catalogItemForm(body: unknown): Submitted<CatalogItemInput> {
  const form = parseForm(schema, body);
  const raw = (body ?? {}) as Record<string, unknown>;
  if (raw.kind === 'app' && !raw.launch_url && !form.fields.launch_url) form.fields.launch_url = 'validation.required';
  if (raw.self_service !== undefined && [].concat((raw.owners as never) ?? []).length === 0) form.fields.owners = 'catalog.ownersNeeded';
  const p = form.partial;
  form.fields = { ...orderErrors({ remind: p.remind_after_days ?? null, escalate: p.escalate_after_days ?? null, expire: p.expire_after_days ?? null }, ITEM_FIELDS), ...form.fields };
  return form;
}
