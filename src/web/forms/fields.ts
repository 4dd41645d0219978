// What the console's forms are made of: lists, check boxes and multi-line fields as a browser sends
// them, parsed into typed values, and zod's problems turned into the i18n keys a page shows per field.
import { z } from 'zod';
import { hasMessage } from '../../i18n/t.ts';
import { DOMAIN_RE, EMAIL_RE } from '../../domain/validation.ts';
import type { FieldErrors, Submitted } from '../../commands/admin/submitted.ts';

const words = (v: string) => [...new Set(v.toLowerCase().split(/[\s,;]+/).filter(Boolean))];

/** "a.test, b.test\nc.test" → ['a.test', 'b.test', 'c.test'], each checked. */
export const domainList = z
  .string()
  .max(5000)
  .transform(words)
  .refine((list) => list.every((d) => DOMAIN_RE.test(d)), 'validation.domains');

export const emailList = z
  .string()
  .max(5000)
  .transform(words)
  .refine((list) => list.every((e) => EMAIL_RE.test(e)), 'validation.emails');

/** A multiple select: absent, one value or several, each an id. */
export const idList = z
  .union([z.string(), z.array(z.string()).max(500)])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().regex(/^[1-9]\d{0,9}$/, 'validation.choice').transform(Number)))
  .transform((ids) => [...new Set(ids)]);

export const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'validation.url');

/** A browser sends a ticked box's value and nothing at all for an unticked one. */
export const checkbox = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => v !== undefined);

/** zod issues → { field: message key } (the first problem of each field). */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (out[field]) continue;
    out[field] = hasMessage(issue.message) ? issue.message : `validation.${issue.code === 'too_big' ? 'tooLong' : issue.code === 'too_small' ? 'required' : 'invalid'}`;
  }
  return out;
}

/**
 * A posted form, parsed by its schema. Each field is also parsed on its own, so a command can still
 * check against the database the fields that are right while others are wrong.
 */
export function parseForm<S extends z.ZodObject>(schema: S, body: unknown): Submitted<z.output<S>> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { value: parsed.data, partial: parsed.data, fields: {} };
  const raw = (body ?? {}) as Record<string, unknown>;
  const partial: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    const one = (field as z.ZodType).safeParse(raw[name]);
    if (one.success) partial[name] = one.data;
  }
  return { value: null, partial: partial as Partial<z.output<S>>, fields: fieldErrors(parsed.error) };
}
