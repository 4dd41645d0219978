import { z } from 'zod';
import type { OrganizationInput } from '../../commands/admin/saveOrganization.ts';
import type { Submitted } from '../../commands/admin/submitted.ts';
import { domainList, idList, parseForm } from './fields.ts';
import { LOCALES } from '../../i18n/locales.ts';

const schema = z.object({
  name: z.string().trim().min(1).max(200),
  identity_provider_id: z.union([z.literal(''), z.string().regex(/^[1-9]\d{0,9}$/).transform(Number)]).optional().transform((v) => (v ? v : null)),
  domains: domainList.refine((l) => l.length > 0, 'validation.domains'),
  policy: z.enum(['allow', 'deny', 'auto_approve'], { message: 'validation.choice' }),
  language: z.union([z.literal(''), z.enum(LOCALES, { message: 'validation.choice' })]).optional().transform((v) => (v ? v : null)),
  sponsors: idList,
  auto_items: idList,
});

/** The organization form: one domain a line (or separated by commas), sponsors and items as multiple selects. */
export const organizationForm = (body: unknown): Submitted<OrganizationInput> => parseForm(schema, body);
