import type { Knex } from 'knex';

// Sessions live in the database, not in Redis: a partner who is signed in keeps working (and can
// submit) while Redis is down, and every web process sees the same sessions.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid', 128).primary();
    t.text('sess').notNullable();
    t.string('expires_at', 32).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sessions');
}
