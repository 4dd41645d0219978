import { z } from 'zod';
import type { IdpInput } from '../../commands/admin/saveIdp.ts';
import type { Submitted } from '../../commands/admin/submitted.ts';
import { domainList, httpUrl, parseForm } from './fields.ts';

const schema = z.object({
  slug: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'validation.slug'),
  name: z.string().trim().min(1).max(100),
  kind: z.enum(['home', 'partner', 'social'], { message: 'validation.choice' }),
  // Kept exactly as typed: it must equal the provider's own `issuer`, trailing slash included.
  issuer: httpUrl,
  client_id: z.string().trim().min(1).max(300),
  client_secret: z.string().max(500).default(''),
  scopes: z
    .string()
    .trim()
    .max(300)
    .refine((v) => /^[\w:.\-/]+( [\w:.\-/]+)*$/.test(v) && v.split(' ').includes('openid'), 'validation.scopes'),
  email_domains: domainList,
});

export const identityProviderForm = (body: unknown): Submitted<IdpInput> => parseForm(schema, body);
