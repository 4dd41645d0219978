import type { Db, Tx } from './knex.ts';

// The demo's moved clock, shared by its web and worker processes through the settings table. No row:
// the clock was never moved here (production, tests), and nothing follows it.
const KEY = 'demo_clock_offset_ms';

export async function readDemoClockOffset(db: Db | Tx): Promise<number | null> {
  const row = await db('settings').where({ key: KEY }).first('value');
  if (!row) return null;
  const ms = Number(row.value);
  return Number.isSafeInteger(ms) ? ms : null;
}

export async function writeDemoClockOffset(trx: Tx, ms: number): Promise<void> {
  await trx('settings').insert({ key: KEY, value: String(ms) }).onConflict('key').merge();
}
