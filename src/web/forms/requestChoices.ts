// The partner's and the sponsor's choices on a request, as their forms send them: her display name
// and the last day she asks for; the items the sponsor approves and the day he grants until.
import { z } from 'zod';
import type { Request } from 'express';
import type { CatalogItem } from '../../db/rows.ts';
import { earliestAccessDay, longestAccessDay } from '../../domain/accessDates.ts';
import { now as clockNow } from '../../domain/clock.ts';

export const DISPLAY_NAME_MAX = 100;

/** A name a person shows under: trimmed, one line of printable characters, 1 to 100 of them. */
export const displayName = z
  .string()
  .transform((v) => v.replace(/\s+/g, ' ').trim())
  .pipe(
    z
      .string()
      .min(1, 'choices.errors.nameRequired')
      .max(DISPLAY_NAME_MAX, 'choices.errors.nameTooLong')
      .refine((v) => !/[\p{C}<>]/u.test(v), 'choices.errors.nameCharacters'),
  );

/** An optional calendar day as <input type="date"> sends it; empty means "the default". */
export const optionalDay = z
  .string()
  .trim()
  .max(10, 'choices.errors.until.format')
  .optional()
  .transform((v) => v || undefined)
  .refine((v) => v === undefined || /^\d{4}-\d{2}-\d{2}$/.test(v), 'choices.errors.until.format');

/**
 * The partner's part of the request form. `displayName` absent (a client that predates the field)
 * means her IdP's name; sent empty, it is an error: a name is what the sponsor reads.
 */
export const requesterChoices = z.object({
  displayName: displayName.optional(),
  accessUntil: optionalDay,
});

/** The sponsor's part of the decision form: the ticked items (authoritative when the form lists them) and the day. */
export const deciderChoices = z.object({
  approve: z
    .union([z.string(), z.array(z.string()).max(100)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().regex(/^[1-9]\d{0,9}$/, 'choices.errors.notOfRequest').transform(Number))),
  // The form lists the items: then an unticked box is a denied item, and none ticked is a choice too.
  itemsListed: z.string().optional(),
  accessUntil: optionalDay,
  itemsReason: z.string().max(1000).default(''),
});

/** What the request form needs to say about dates: the earliest and latest day any choice allows. */
export function dateBounds(catalog: Pick<CatalogItem, 'max_days'>[], now = clockNow()) {
  return { minUntil: earliestAccessDay(now), maxUntil: catalog.length ? longestAccessDay(catalog, now) : null };
}

/** Writes her new name into the signed-in session too, so the header says it from now on. */
export function rememberName(req: Request, name: string): void {
  const stored = (req.session as { passport?: { user?: { name?: string } } }).passport?.user;
  if (stored) stored.name = name;
}
