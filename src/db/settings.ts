import type { Db, Tx } from './knex.ts';

export interface Settings {
  unknownDomainsMayRequest: boolean;
}

export async function readSettings(db: Db | Tx): Promise<Settings> {
  const rows: { key: string; value: string }[] = await db('settings').select('key', 'value');
  const map = new Map(rows.map((r) => [r.key, r.value]));
  return { unknownDomainsMayRequest: map.get('unknown_domains_may_request') !== 'false' };
}

export async function writeSettings(db: Db | Tx, s: Settings): Promise<void> {
  await db('settings').where({ key: 'unknown_domains_may_request' }).update({ value: String(s.unknownDomainsMayRequest) });
}
