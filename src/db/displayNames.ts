import type { Db, Tx } from './knex.ts';

/**
 * A guest's display name as she set it herself: stored and marked chosen, so that her identity
 * provider's name (or, for a code, her address's local part) no longer replaces it at sign-in.
 * Returns the name it replaced, or undefined when nothing changed.
 */
export async function setChosenName(trx: Tx, userId: number, name: string): Promise<string | undefined> {
  const user = await trx('users').where({ id: userId }).first('display_name', 'name_chosen');
  if (!user || (user.display_name === name && Boolean(user.name_chosen))) return undefined;
  await trx('users').where({ id: userId }).update({ display_name: name, name_chosen: true });
  return user.display_name === name ? undefined : String(user.display_name);
}

/** The display name a user set herself, if she did. */
export async function chosenNameOf(db: Db | Tx, userId: number): Promise<string | undefined> {
  const user = await db('users').where({ id: userId }).first('display_name', 'name_chosen');
  return user && Boolean(user.name_chosen) ? String(user.display_name) : undefined;
}
