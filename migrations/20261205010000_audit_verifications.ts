import type { Knex } from 'knex';

// Each run of "Verify the chain now" (admin audit log): asked for by whom and when, then what the
// worker found: how many events it checked and the first bad one, if any. The rows are a record for
// people; the proof stays the chain itself and its signed checkpoints.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_verifications', (t) => {
    t.increments('id');
    t.string('requested_at', 32).notNullable();
    t.integer('requested_by').nullable().references('users.id').onDelete('SET NULL');
    t.string('requested_by_label', 320).nullable();
    t.string('status', 16).notNullable(); // queued | ok | broken
    t.string('finished_at', 32).nullable();
    t.bigInteger('events').nullable();
    t.bigInteger('bad_seq').nullable();
    t.text('message').nullable();
    t.index(['finished_at', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('audit_verifications');
}
