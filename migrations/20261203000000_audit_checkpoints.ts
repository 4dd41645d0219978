import type { Knex } from 'knex';

// Signed checkpoints of the audit chain (src/domain/auditCheckpoint.ts). The rows are a convenience
// for `passerelle audit verify`: whoever can write this table can delete them, which is why each one
// is also written to the log and to AUDIT_CHECKPOINT_FILE, kept elsewhere. One per sequence number,
// so two workers signing the same head keep one row.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_checkpoints', (t) => {
    t.bigInteger('seq').primary();
    t.string('hash', 64).notNullable();
    t.string('at', 32).notNullable();
    t.string('key_id', 16).notNullable();
    t.string('signature', 88).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('audit_checkpoints');
}
