import type { Db } from '../db/knex.ts';
import { listEnabledIdps } from '../db/identityProviders.ts';

let cached: { at: number; value: string } | null = null;

/** The origins of enabled IdPs, for the CSP form-action list; re-read at most every 10 seconds. */
export async function idpOrigins(db: Db): Promise<string> {
  if (cached && Date.now() - cached.at < 10_000) return cached.value;
  const origins = new Set<string>();
  for (const idp of await listEnabledIdps(db)) {
    try {
      origins.add(new URL(idp.issuer).origin);
    } catch {
      // A malformed issuer cannot be signed in with anyway.
    }
  }
  cached = { at: Date.now(), value: [...origins].join(' ') };
  return cached.value;
}
