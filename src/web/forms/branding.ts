import { z } from 'zod';
import type { Branding } from '../../db/branding.ts';
import type { Submitted } from '../../commands/admin/submitted.ts';
import { HEX_COLOR } from '../../mail/color.ts';
import { parseForm } from './fields.ts';

const httpsUrl = (v: string) => {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' && !u.username && !u.password;
  } catch {
    return false;
  }
};

const schema = z.object({
  company_name: z.string().trim().min(1).max(100),
  // A mail client loads the logo from the reader's machine: https only, never a page of ours.
  logo_url: z.string().trim().max(2000).refine((v) => v === '' || httpsUrl(v), 'validation.httpsUrl'),
  color: z.string().trim().regex(HEX_COLOR, 'validation.color').transform((v) => v.toLowerCase()),
});

/** The branding form: company name, logo address (https or empty), colour as #rrggbb. */
export function brandingForm(body: unknown): Submitted<Branding> {
  const form = parseForm(schema, body);
  const v = form.value;
  return { ...form, value: v ? { companyName: v.company_name, logoUrl: v.logo_url, color: v.color } : null, partial: {} };
}
