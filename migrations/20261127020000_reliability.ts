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
  await knex.schema.alterTable('mail_messages', (t) => {
    // A sender claims a message before talking to SMTP, so two deliveries of the same job (or a
    // sweeper's re-enqueue) never send it at the same time; a crashed sender's claim runs out.
    t.string('claimed_until', 32).nullable();
    t.index(['status', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mail_messages', (t) => {
    t.dropIndex(['status', 'created_at']);
    t.dropColumn('claimed_until');
  });
  await knex.schema.dropTableIfExists('sessions');
}
