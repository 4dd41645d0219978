import { z } from 'zod';
import type { ApiClientInput } from '../../commands/apiClients.ts';
import type { Submitted } from '../../commands/admin/submitted.ts';
import { isScope, type Scope } from '../../domain/scopes.ts';
import { parseForm } from './fields.ts';

const schema = z.object({
  name: z.string().trim().min(1, 'validation.required').max(100, 'validation.tooLong'),
  // Ticked boxes on the admin page; "A,B" or "A B" from `passerelle api-client create --scopes`.
  scopes: z
    .union([z.string(), z.array(z.string()).max(20)])
    .optional()
    .transform((v) => [...new Set((Array.isArray(v) ? v : (v ?? '').split(/[\s,]+/)).filter(Boolean))])
    .refine((l) => l.length > 0, 'apiClients.chooseScopes')
    .refine((l) => l.every(isScope), 'apiClients.unknownScope')
    .transform((l) => l as Scope[]),
});

/** A new API client's name and scopes, from the admin page's form or the command line's options. */
export const apiClientForm = (input: unknown): Submitted<ApiClientInput> => parseForm(schema, input);
