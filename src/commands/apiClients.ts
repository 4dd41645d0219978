// Creating and revoking API clients (admin pages and `passerelle api-client`). The token is returned
// once to whoever created it; the database keeps its SHA-256 and a short prefix.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/knex.ts';
import { inTransaction } from '../db/knex.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { findApiClient, insertApiClient, revokeApiClientRow } from '../db/apiClients.ts';
import { conflict, invalid, notFound } from '../domain/errors.ts';
import { hashToken } from '../domain/tokens.ts';
import { isScope } from '../domain/scopes.ts';
import { fieldErrors } from '../domain/validation.ts';

const TOKEN_PREFIX = 'psr_';

/** 256 random bits behind a recognisable prefix (so secret scanners and people can spot one). */
export function newApiToken(): { token: string; hash: string; prefix: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) };
}

export const looksLikeApiToken = (v: string) => /^psr_[A-Za-z0-9_-]{43}$/.test(v);

const schema = z.object({
  name: z.string().trim().min(1, 'validation.required').max(100, 'validation.tooLong'),
  scopes: z
    .union([z.string(), z.array(z.string()).max(20)])
    .optional()
    .transform((v) => [...new Set((Array.isArray(v) ? v : (v ?? '').split(/[\s,]+/)).filter(Boolean))])
    .refine((l) => l.length > 0, 'apiClients.chooseScopes')
    .refine((l) => l.every(isScope), 'apiClients.unknownScope'),
});

export async function createApiClient(db: Db, ctx: AuditContext, form: unknown, createdBy: number | null): Promise<{ id: number; token: string }> {
  const parsed = schema.safeParse(form);
  if (!parsed.success) throw invalid('errors.invalidForm', fieldErrors(parsed.error));
  const { name, scopes } = parsed.data;
  const { token, hash, prefix } = newApiToken();
  const id = await inTransaction(db, async (trx) => {
    const id = await insertApiClient(trx, { name, scopes, tokenHash: hash, tokenPrefix: prefix, createdBy });
    await appendAudit(trx, ctx, { action: 'api_client.created', target: `api_client:${id}`, details: { name, scopes, prefix } });
    return id;
  });
  return { id, token };
}

export async function revokeApiClient(db: Db, ctx: AuditContext, id: number): Promise<void> {
  const client = await findApiClient(db, id);
  if (!client) throw notFound();
  await inTransaction(db, async (trx) => {
    if (!(await revokeApiClientRow(trx, id))) throw conflict('apiClients.alreadyRevoked');
    await appendAudit(trx, ctx, { action: 'api_client.revoked', target: `api_client:${id}`, details: { name: client.name } });
  });
}
