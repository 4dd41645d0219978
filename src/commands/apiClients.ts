// Creating and revoking API clients (admin pages and `passerelle api-client`). The token is returned
// once to whoever created it; the database keeps its SHA-256 and a short prefix.
import { randomBytes } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { inTransaction } from '../db/knex.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { findApiClient, insertApiClient, revokeApiClientRow } from '../db/apiClients.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { hashToken } from '../domain/tokens.ts';
import type { Scope } from '../domain/scopes.ts';

const TOKEN_PREFIX = 'psr_';

/** 256 random bits behind a recognisable prefix (so secret scanners and people can spot one). */
export function newApiToken(): { token: string; hash: string; prefix: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) };
}

export const looksLikeApiToken = (v: string) => /^psr_[A-Za-z0-9_-]{43}$/.test(v);

export interface ApiClientInput {
  name: string;
  scopes: Scope[];
}

export async function createApiClient(deps: Deps, ctx: AuditContext, { name, scopes }: ApiClientInput, createdBy: number | null): Promise<{ id: number; token: string }> {
  const { token, hash, prefix } = newApiToken();
  const id = await inTransaction(deps.db, async (trx) => {
    const id = await insertApiClient(trx, { name, scopes, tokenHash: hash, tokenPrefix: prefix, createdBy });
    await appendAudit(trx, ctx, { action: 'api_client.created', target: `api_client:${id}`, details: { name, scopes, prefix } });
    return id;
  });
  return { id, token };
}

export async function revokeApiClient(deps: Deps, ctx: AuditContext, id: number): Promise<void> {
  const client = await findApiClient(deps.db, id);
  if (!client) throw notFound();
  await inTransaction(deps.db, async (trx) => {
    if (!(await revokeApiClientRow(trx, id))) throw conflict('apiClients.alreadyRevoked');
    await appendAudit(trx, ctx, { action: 'api_client.revoked', target: `api_client:${id}`, details: { name: client.name } });
  });
}
