// One request to the OpenID Provider asks about the same app and the same person several times:
// oidc-provider loads the client, then findAccount, the access prompt, loadExistingGrant and the
// audit of the sign-in each want the app's client and the person's facts. Each is read once per
// request instead of once per question (an app sign-in went from 8 reads of app_clients and 4 of the
// person to 3 and 3). Nothing outlives the request, so every request still sees the database as it
// is then: a membership removed or a client changed counts from the next request, as before.
import Provider from 'oidc-provider';
import type { Db } from '../db/knex.ts';
import { findAppClientWithSecret } from '../db/appClients.ts';
import { appAccountFacts, type AppAccountFacts } from '../db/appAccounts.ts';
import type { AppClient } from '../domain/model.ts';

const reads = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * `load()` once per request to the provider: `ctx` is its Koa context, given or found through
 * oidc-provider's own async-local storage (Provider.ctx). Outside such a request (an interaction
 * page, a worker job) there is nothing to share, and it simply loads.
 */
function oncePerRequest<T>(key: string, load: () => Promise<T>, ctx?: object): Promise<T> {
  const scope = ctx ?? (Provider.ctx as object | undefined);
  if (!scope) return load();
  let known = reads.get(scope);
  if (!known) reads.set(scope, (known = new Map()));
  let read = known.get(key) as Promise<T> | undefined;
  if (!read) {
    read = load();
    known.set(key, read);
    // A failed read is not remembered: asking again reads again.
    read.catch(() => known.delete(key));
  }
  return read;
}

type ClientRow = AppClient & { secret_encrypted: string | null };

/** The app's client with its sealed secret, for the adapter's client metadata only. */
export function appClientWithSecret(db: Db, clientId: string, ctx?: object): Promise<ClientRow | undefined> {
  return oncePerRequest(`client:${clientId}`, () => findAppClientWithSecret(db, clientId), ctx);
}

/** The app's client, as findAppClient answers it (no secret). */
export async function appClient(db: Db, clientId: string, ctx?: object): Promise<AppClient | undefined> {
  const row = await appClientWithSecret(db, clientId, ctx);
  if (!row) return undefined;
  const { secret_encrypted: _sealed, ...client } = row;
  return client;
}

/** What the provider needs of a person for an app (appAccountFacts), once per request. */
export function accountFacts(db: Db, userId: number, itemId: number, ctx?: object): Promise<AppAccountFacts | undefined> {
  return oncePerRequest(`facts:${userId}:${itemId}`, () => appAccountFacts(db, userId, itemId), ctx);
}
