import type { Db } from '../../../db/knex.ts';
import { findGuest, type GuestRow } from '../../../db/guests.ts';
import { notFound } from '../../../domain/errors.ts';

/** Every guest action starts here: an id that is not a guest's is a 404, whatever the action. */
export async function requireGuest(db: Db, id: number): Promise<GuestRow> {
  const guest = await findGuest(db, id);
  if (!guest) throw notFound();
  return guest;
}
