import type { Knex } from 'knex';

/**
 * Drops plain columns (no index, key or constraint on them). knex drops a SQLite column by rebuilding
 * the table, and with foreign keys on, dropping the old table deletes every row that references it
 * (a user's identities, invitations, consents…); SQLite 3.35+ drops such a column in place instead.
 */
export async function dropColumns(knex: Knex, table: string, columns: string[]): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.schema.alterTable(table, (t) => t.dropColumns(...columns));
    return;
  }
  for (const column of columns) await knex.raw('alter table ?? drop column ??', [table, column]);
}
