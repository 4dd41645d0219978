// What the OpenID Provider needs of a person to answer an app: who they are, where they sign in,
// whether they hold the app, and which groups they hold. Read in one round of queries per request.
import type { Db, Tx } from './knex.ts';
import type { User } from './rows.ts';

export interface AppAccountFacts {
  user: User;
  /** The issuer of the identity the person is bound to (the IdP they really sign in at). */
  issuer: string | null;
  /** Holds an unexpired membership of the app's catalog item. */
  holdsApp: boolean;
  /** The catalog groups held, unexpired. */
  groups: { id: number; name: string }[];
}

export async function appAccountFacts(db: Db | Tx, userId: number, itemId: number | null): Promise<AppAccountFacts | undefined> {
  const user = await db<User>('users').where({ id: userId }).first();
  if (!user) return undefined;
  const at = new Date().toISOString();
  const [identity, held] = await Promise.all([
    db('user_identities').where({ user_id: userId }).orderBy('id').first('issuer'),
    db('memberships')
      .join('catalog_items', 'catalog_items.id', 'memberships.item_id')
      .where('memberships.user_id', userId)
      .where((q) => q.whereNull('memberships.expires_at').orWhere('memberships.expires_at', '>', at))
      .select('catalog_items.id', 'catalog_items.kind', 'catalog_items.name')
      .orderBy('catalog_items.name'),
  ]);
  const rows = held as { id: number; kind: string; name: string }[];
  return {
    user: { ...user, id: Number(user.id) },
    issuer: (identity as { issuer: string } | undefined)?.issuer ?? null,
    holdsApp: itemId !== null && rows.some((r) => Number(r.id) === itemId),
    groups: rows.filter((r) => r.kind === 'group').map((r) => ({ id: Number(r.id), name: r.name })),
  };
}
