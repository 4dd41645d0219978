// Signs a person out of one app whose access ended: if the access rule (src/oidc/account.ts, the one
// every token request asks) still says no, every grant they hold there is revoked, then an app that
// registered a back-channel logout URI is sent a logout token made and POSTed by oidc-provider itself
// (pairwise sub, signed with the provider's current key). Harmless to run again: revoking finds
// nothing the second time; a failed delivery throws so that Bull retries it with backoff, and the
// grants are revoked before the app is told, so an app cannot refresh once it has heard.
import type { Logger } from 'pino';
import type Provider from 'oidc-provider';
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { findAppClient } from '../src/db/appClients.ts';
import { appAccessNow } from '../src/oidc/account.ts';
import { recordBackchannelLogout, revokeAppGrants } from '../src/commands/endAppAccess.ts';

export interface AppSignOut {
  userId: number;
  clientId: string;
  /** Set when the person signed out of Passerelle in one browser: that session at the app ends. */
  sid?: string;
}

/** oidc-provider's Client has this method; its type definitions do not list it. */
type BackchannelClient = { backchannelLogout(sub: string, sid: string | undefined): Promise<void> };

export type SignOutResult = 'still allowed' | 'no client' | 'revoked' | 'no logout uri' | 'logged out';

export async function signOutOfApp(
  deps: Deps,
  ctx: AuditContext,
  provider: () => Promise<Provider>,
  log: Logger,
  data: AppSignOut,
): Promise<SignOutResult> {
  const access = await appAccessNow(deps.db, data.userId, data.clientId);
  if (!access.client) return 'no client';
  const app = access.client;
  if (!data.sid) {
    // Given back meanwhile (enabled again, a new membership): nothing has ended.
    if (access.allowed) return 'still allowed';
    await revokeAppGrants(deps, ctx, data.userId, app);
  }
  // A sign-out needs no revocation: the tokens bound to that session ended with it.
  if (!app.backchannel_logout_uri) return data.sid ? 'no logout uri' : 'revoked';
  try {
    const client = await (await provider()).Client.find(app.client_id);
    if (!client) return 'no client';
    // Access ended: no sid, the token names the person (every session); a sign-out names its session.
    await (client as unknown as BackchannelClient).backchannelLogout(String(data.userId), data.sid);
  } catch (err) {
    // fetch's own message is only "fetch failed"; what happened (refused, timed out) is its cause.
    const cause = (err as Error & { cause?: Error }).cause?.message;
    log.warn({ clientId: app.client_id, userId: data.userId, err: (err as Error).message, cause }, 'back-channel logout not delivered; will retry');
    throw err;
  }
  await recordBackchannelLogout(deps, ctx, data.userId, app, 'success');
  return 'logged out';
}

/** The last attempt failed: on record, for an admin to see (and retry from the jobs page). */
export async function failAppSignOut(deps: Deps, ctx: AuditContext, data: AppSignOut, attempts: number, error: string): Promise<void> {
  const app = await findAppClient(deps.db, data.clientId);
  if (!app?.backchannel_logout_uri) return;
  await recordBackchannelLogout(deps, ctx, data.userId, app, 'failure', { attempts, error });
}
