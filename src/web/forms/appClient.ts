import { z } from 'zod';
import type { AppClientSettings } from '../../commands/admin/saveAppClient.ts';
import type { Submitted } from '../../commands/admin/submitted.ts';
import { APP_CLAIMS, type AppClaim } from '../../domain/model.ts';
import { checkbox, idList, parseForm } from './fields.ts';

/**
 * URIs one per line from a textarea, or several values of a repeated option (`--redirect-uri A
 * --redirect-uri B`). Whether each may be registered is the command's to say (it knows the environment).
 */
const uriList = z
  .union([z.string().max(20_000), z.array(z.string().max(2000)).max(20)])
  .optional()
  .transform((v) => [...new Set((Array.isArray(v) ? v : (v ?? '').split(/\r?\n/)).map((u) => u.trim()).filter(Boolean))])
  .refine((l) => l.length <= 20, 'appClient.errors.tooManyUris')
  .refine((l) => l.every((u) => u.length <= 2000), 'validation.tooLong');

const optionalUri = z
  .string()
  .trim()
  .max(2000, 'validation.tooLong')
  .optional()
  .transform((v) => v || null);

const schema = z.object({
  redirect_uris: uriList,
  post_logout_redirect_uris: uriList,
  backchannel_logout_uri: optionalUri,
  initiate_login_uri: optionalUri,
  public_client: checkbox,
  // Ticked boxes on the page; "email,name" from `passerelle app-client create --claims`.
  claims: z
    .union([z.string(), z.array(z.string()).max(APP_CLAIMS.length)])
    .optional()
    .transform((v) => [...new Set((Array.isArray(v) ? v : (v ?? '').split(/[\s,]+/)).filter(Boolean))])
    .refine((l) => l.every((c) => (APP_CLAIMS as readonly string[]).includes(c)), 'appClient.errors.unknownClaim')
    .transform((l) => l as AppClaim[]),
  visible_group_ids: idList,
  assignment_required: checkbox,
  allow_members: checkbox,
});

/** An application's Sign-in settings, from the admin page's form or the command line's options. */
export const appClientForm = (input: unknown): Submitted<AppClientSettings> => parseForm(schema, input);
