// Removes what the OpenID Provider no longer needs: its stored objects past their expiry (codes,
// tokens, sessions, grants; oidcStore already ignores them when reading) and signing keys past the
// end of their publication (already gone from the JWKS). Bounded batches; harmless twice.
import type { Deps } from '../src/deps.ts';
import { deleteExpiredOidc } from '../src/db/oidcStore.ts';
import { deleteUnpublishedKeys } from '../src/db/oidcKeys.ts';

const BATCH = 1000;
const MAX_BATCHES = 50;

export async function cleanOidcStore(deps: Deps): Promise<{ rows: number; keys: number }> {
  let rows = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await deleteExpiredOidc(deps.db, BATCH);
    rows += n;
    if (n < BATCH) break;
  }
  const keys = await deleteUnpublishedKeys(deps.db);
  return { rows, keys };
}
