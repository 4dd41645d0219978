// What the OpenID Provider needs of a person to answer an app: who they are, where they sign in,
// whether they hold the app, and which groups they hold. Read in one statement per request.
import type { Db, Tx } from './knex.ts';
import type { User } from './rows.ts';
import { nowIso } from '../domain/clock.ts';

export interface AppAccountFacts {
  user: User;
  /** The issuer of the identity the person is bound to (the IdP they really sign in at). */
  issuer: string | null;
  /** Holds an unexpired membership of the app's catalog item. */
  holdsApp: boolean;
  /** The catalog groups held, unexpired. */
  groups: { id: number; name: string }[];
}

/** Not columns of users: the aliases under which the identity's issuer and each held item ride along. */
const BOUND_ISSUER = 'passerelle_bound_issuer';
const HELD = { id: 'passerelle_held_id', kind: 'passerelle_held_kind', name: 'passerelle_held_name' } as const;

type FactsRow = User & { [BOUND_ISSUER]: string | null; passerelle_held_id: number | null; passerelle_held_kind: string | null; passerelle_held_name: string | null };

export async function appAccountFacts(db: Db | Tx, userId: number, itemId: number | null): Promise<AppAccountFacts | undefined> {
  const at = nowIso();
  // One statement, not three: it is asked every time an app's code, token or userinfo request is
  // answered. The user's row comes once per unexpired membership (or once, with no item, when there
  // is none), with the issuer of the first identity bound to them.
  const rows: FactsRow[] = await db('users')
    .leftJoin('memberships', (j) => {
      // An ended membership (its expiry acted on, src/commands/expireMemberships.ts) opens nothing.
      j.on('memberships.user_id', '=', 'users.id')
        .andOnNull('memberships.access_ended_at')
        .andOn((q) => {
          q.onNull('memberships.expires_at').orOnVal('memberships.expires_at', '>', at);
        });
    })
    .leftJoin('catalog_items', 'catalog_items.id', 'memberships.item_id')
    .where('users.id', userId)
    .orderBy('catalog_items.name')
    .select(
      'users.*',
      db('user_identities').where('user_identities.user_id', userId).orderBy('user_identities.id').limit(1).select('issuer').as(BOUND_ISSUER),
      `catalog_items.id as ${HELD.id}`,
      `catalog_items.kind as ${HELD.kind}`,
      `catalog_items.name as ${HELD.name}`,
    );
  if (rows.length === 0) return undefined;
  const { [BOUND_ISSUER]: issuer, [HELD.id]: _id, [HELD.kind]: _kind, [HELD.name]: _name, ...user } = rows[0]!;
  const held = rows.filter((r) => r[HELD.id] !== null).map((r) => ({ id: Number(r[HELD.id]), kind: r[HELD.kind]!, name: r[HELD.name]! }));
  return {
    user: { ...user, id: Number(user.id) },
    issuer: issuer ?? null,
    holdsApp: itemId !== null && held.some((r) => r.id === itemId),
    groups: held.filter((r) => r.kind === 'group').map((r) => ({ id: r.id, name: r.name })),
  };
}
