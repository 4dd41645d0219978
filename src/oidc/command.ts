// `passerelle keys`: the signing keys of the applications' OpenID Provider.
import type { Deps } from '../deps.ts';
import type { AuditContext } from '../db/audit.ts';
import { publishedKeys } from '../db/oidcKeys.ts';
import { ensureSigningKey, rotateSigningKey } from '../commands/signingKeys.ts';

const USAGE = 'Usage: passerelle keys rotate | list';

export async function keysCommand(deps: Deps, ctx: AuditContext, args: string[]): Promise<number> {
  const [sub] = args;
  if (sub === 'rotate') {
    // A rotation before the first start still leaves the first key published until its time.
    await ensureSigningKey(deps, ctx);
    const r = await rotateSigningKey(deps, ctx);
    console.log(`New signing key ${r.kid}: it signs from the next refresh of each web process (OIDC_KEYS_REFRESH_MS).`);
    if (r.retired.length) console.log(`Retired ${r.retired.join(', ')}: still published until ${r.publishedUntil}, when every token it signed has expired.`);
    console.log(r.kid);
    return 0;
  }
  if (sub === 'list') {
    const keys = await publishedKeys(deps.db);
    if (keys.length === 0) console.log('No signing key yet: the first web process to start makes one.');
    for (const k of keys) {
      console.log([k.kid, k.alg, `created ${k.created_at}`, k.retired_at ? `retired, published until ${k.retire_after}` : 'signing'].join('\t'));
    }
    return 0;
  }
  console.error(USAGE);
  return 2;
}
