// Who a person is to an application: oidc-provider's account (findAccount) and its claims, read from
// the database at each use so that a membership removed, expired or a guest disabled stops the next
// code exchange, refresh and userinfo request, not only the next sign-in.
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Account, AccountClaims, KoaContextWithOIDC } from 'oidc-provider';
import type { Deps } from '../deps.ts';
import type { Db } from '../db/knex.ts';
import type { AppAccountFacts } from '../db/appAccounts.ts';
import { accountFacts, appClient } from './perRequest.ts';
import { appAccess, visibleGroups, type AppAccess } from '../domain/appAccess.ts';
import type { AppClient } from '../domain/model.ts';
import { recordRefusal } from '../commands/recordRefusal.ts';

export async function accessOf(facts: AppAccountFacts | undefined, client: AppClient | undefined): Promise<AppAccess> {
  if (!facts || !client) return { allowed: false, reason: 'user not active' };
  return appAccess({ user: facts.user, client, holdsMembership: facts.holdsApp });
}

/** "May this person sign in to this app now": the one answer every path asks. */
export async function appAccessNow(db: Db, userId: number, clientId: string): Promise<AppAccess & { facts?: AppAccountFacts; client?: AppClient }> {
  const client = await appClient(db, clientId);
  const facts = client ? await accountFacts(db, userId, client.item_id) : undefined;
  return { ...(await accessOf(facts, client)), facts, client };
}

/** The claims an app receives: those its scopes release, of those the admin lets it receive. */
export function claimsFor(accountId: string, facts: AppAccountFacts, client: AppClient): AccountClaims {
  const allowed = new Set(client.claims);
  return {
    sub: accountId,
    ...(allowed.has('email') && { email: facts.user.email, email_verified: true }),
    ...(allowed.has('name') && { name: facts.user.display_name }),
    ...(allowed.has('user_type') && { user_type: facts.user.user_type }),
    ...(allowed.has('idp') && facts.issuer && { idp: facts.issuer }),
    ...(allowed.has('groups') && { groups: visibleGroups(facts.groups, client).map((g) => g.name) }),
  };
}

/**
 * oidc-provider's findAccount. Without a token it is the authorization request loading its session's
 * person: any active person is found (whether they may use this app is the policy's `access` prompt,
 * which shows the refusal page). With a token (a code, a refresh token, an access token at userinfo)
 * the access rule is asked again and a refusal makes the token worthless; it is audited.
 */
export async function findAccountFor(
  deps: Deps,
  log: Logger,
  ctx: KoaContextWithOIDC,
  sub: string,
  token?: unknown,
): Promise<Account | undefined> {
  if (!/^[1-9]\d{0,9}$/.test(sub)) return undefined;
  const clientId = ctx.oidc?.client?.clientId;
  if (!clientId) return undefined;
  const { allowed, facts, client, ...rest } = await appAccessNow(deps.db, Number(sub), clientId);
  if (!facts || !client || facts.user.state !== 'active') return undefined;
  if (token && !allowed) {
    const reason = 'reason' in rest ? rest.reason : 'refused';
    await recordRefusal(deps.db, appCaller(ctx, clientId), `app.${ctx.oidc.route ?? 'token'}`, `item:${client.item_id}`, `${reason} (user ${sub})`).catch((err) =>
      log.warn({ err: (err as Error).message }, 'could not audit a refused token'),
    );
    return undefined;
  }
  return { accountId: sub, claims: async () => claimsFor(sub, facts, client) };
}

/** The app calling the token or userinfo endpoint, as an audit actor. */
function appCaller(ctx: KoaContextWithOIDC, clientId: string) {
  const req = ctx.req as unknown as Request;
  return { actor: { type: 'api' as const, id: `app:${clientId}`, label: null }, ip: req.ip ?? null, correlationId: req.id ?? null };
}
