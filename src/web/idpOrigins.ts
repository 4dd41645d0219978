import type { Db } from '../db/knex.ts';
import { listEnabledIdps } from '../db/identityProviders.ts';

const cache = new WeakMap<Db, { at: number; value: string }>();

/** The origins of enabled IdPs, for the CSP form-action list; re-read at most every 10 seconds. */
export async function idpOrigins(db: Db): Promise<string> {
  const cached = cache.get(db);
  if (cached && Date.now() - cached.at < 10_000) return cached.value;
  const origins = new Set<string>();
  for (const idp of await listEnabledIdps(db)) {
    try {
      origins.add(new URL(idp.issuer).origin);
    } catch {
      // A malformed issuer cannot be signed in with anyway.
    }
  }
  const value = [...origins].join(' ');
  cache.set(db, { at: Date.now(), value });
  return value;
}
