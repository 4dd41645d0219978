import type { Knex } from 'knex';
import { dropColumns } from './dropColumns.ts';

// The language a person chose (null: follow the browser), and the organization's default for
// everyone who has not chosen and whose browser asks for no language we have.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('locale', 8).nullable();
  });
  await knex('settings').insert({ key: 'default_language', value: 'en' });
}

export async function down(knex: Knex): Promise<void> {
  await knex('settings').where({ key: 'default_language' }).delete();
  await dropColumns(knex, 'users', ['locale']);
}
