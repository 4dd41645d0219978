// Field rules shared by the admin forms. Messages are i18n keys.
import { z } from 'zod';
import { hasMessage } from '../i18n/t.ts';

export const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
export const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]{1,64}@([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** "a.test, b.test\nc.test" → ['a.test', 'b.test', 'c.test'], each checked. */
export const domainList = z
  .string()
  .max(5000)
  .transform((v) => [...new Set(v.toLowerCase().split(/[\s,;]+/).filter(Boolean))])
  .refine((list) => list.every((d) => DOMAIN_RE.test(d)), 'validation.domains');

export const emailList = z
  .string()
  .max(5000)
  .transform((v) => [...new Set(v.toLowerCase().split(/[\s,;]+/).filter(Boolean))])
  .refine((list) => list.every((e) => EMAIL_RE.test(e)), 'validation.emails');

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

export const checkbox = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => v !== undefined);

/** zod issues → { field: message key } (the first problem of each field). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (out[field]) continue;
    out[field] = hasMessage(issue.message) ? issue.message : `validation.${issue.code === 'too_big' ? 'tooLong' : issue.code === 'too_small' ? 'required' : 'invalid'}`;
  }
  return out;
}
