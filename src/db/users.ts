import type { Db, Tx } from './knex.ts';
import type { User } from './rows.ts';

export async function findUserById(db: Db | Tx, id: number): Promise<User | undefined> {
  return db<User>('users').where({ id }).first();
}

/** A person is known by (issuer, subject), never by e-mail. */
export async function findUserByIdentity(db: Db | Tx, issuer: string, subject: string): Promise<User | undefined> {
  return db<User>('users')
    .join('user_identities', 'users.id', 'user_identities.user_id')
    .where({ 'user_identities.issuer': issuer, 'user_identities.subject': subject })
    .first('users.*');
}

export async function findUserByEmail(db: Db | Tx, userType: User['user_type'], email: string): Promise<User | undefined> {
  return db<User>('users').where({ user_type: userType, email: email.toLowerCase() }).first();
}

export async function insertUser(
  db: Db | Tx,
  u: Pick<User, 'display_name' | 'email' | 'user_type' | 'state'> & { role?: User['role'] },
): Promise<number> {
  const [row] = await db('users')
    .insert({ ...u, email: u.email.toLowerCase(), role: u.role ?? null, created_at: new Date().toISOString() })
    .returning('id');
  return (row as { id: number }).id;
}

export async function bindIdentity(
  db: Db | Tx,
  userId: number,
  identity: { issuer: string; subject: string; identityProviderId: number | null },
): Promise<void> {
  await db('user_identities').insert({
    user_id: userId,
    issuer: identity.issuer,
    subject: identity.subject,
    identity_provider_id: identity.identityProviderId,
    created_at: new Date().toISOString(),
  });
}

export async function touchSignIn(db: Db | Tx, userId: number, displayName: string): Promise<void> {
  await db('users').where({ id: userId }).update({ last_sign_in_at: new Date().toISOString() });
  // A name the person set herself (src/db/displayNames.ts) outlives the IdP's.
  await db('users').where({ id: userId, name_chosen: false }).update({ display_name: displayName });
}

export async function listAdmins(db: Db | Tx): Promise<User[]> {
  return db<User>('users').where({ role: 'admin', state: 'active' }).orderBy('id');
}

export async function listMembers(db: Db | Tx): Promise<User[]> {
  return db<User>('users').where({ user_type: 'member', state: 'active' }).orderBy('email');
}

/**
 * What every signed-in request needs to know about its session's person, in one query: the user
 * bound to (issuer, subject), if any, and whether the IdP the session was made through is still enabled
 * (false also when it was deleted).
 */
export async function findSessionUser(
  db: Db | Tx,
  idpId: number,
  issuer: string,
  subject: string,
): Promise<{ idpEnabled: boolean; user: User | undefined }> {
  const row = await db('identity_providers as ip')
    .leftJoin('user_identities as ui', (j) => j.on('ui.issuer', db.raw('?', [issuer])).andOn('ui.subject', db.raw('?', [subject])))
    .leftJoin('users', 'users.id', 'ui.user_id')
    .where('ip.id', idpId)
    .first('ip.enabled as idp_enabled', 'users.*');
  if (!row) return { idpEnabled: false, user: undefined };
  const { idp_enabled: enabled, ...user } = row as User & { idp_enabled: unknown };
  return { idpEnabled: Boolean(enabled), user: user.id == null ? undefined : (user as User) };
}

/** Those of these ids that are members of our organization (in any state). */
export async function membersAmong(db: Db | Tx, ids: number[]): Promise<User[]> {
  if (ids.length === 0) return [];
  return db<User>('users').whereIn('id', ids).where({ user_type: 'member' });
}

export async function hasIdentity(db: Db | Tx, userId: number): Promise<boolean> {
  return Boolean(await db('user_identities').where({ user_id: userId }).first());
}

/** Forgets every (issuer, subject) bound to the person; returns how many there were. */
export async function unbindIdentities(trx: Tx, userId: number): Promise<number> {
  return Number(await trx('user_identities').where({ user_id: userId }).delete());
}

export async function changeUserEmail(trx: Tx, userId: number, email: string): Promise<void> {
  await trx('users').where({ id: userId }).update({ email });
}

export async function makeAdmin(trx: Tx, userId: number): Promise<void> {
  await trx('users').where({ id: userId }).update({ role: 'admin' });
}

/** Remembers a person's language; returns the one it replaced. */
export async function setUserLocale(trx: Tx, userId: number, locale: string | null): Promise<string | null> {
  const row: { locale: string | null } | undefined = await trx('users').where({ id: userId }).first('locale');
  await trx('users').where({ id: userId }).update({ locale });
  return row?.locale ?? null;
}
