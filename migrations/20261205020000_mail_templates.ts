import type { Knex } from 'knex';
import { dropColumns } from './dropColumns.ts';

// Mails an admin rewrote, per template and language (a missing row: the catalog's default), and the
// mails an admin switched off. Where a mail's language comes from when the recipient chose none: the
// language an API caller asked for an invitation (Graph's messageLanguage), else the partner
// organization's. Company branding lives in `settings` (branding_* keys).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mail_templates', (t) => {
    t.increments('id').primary();
    t.string('template', 40).notNullable();
    t.string('language', 8).notNullable();
    t.string('subject', 250).notNullable();
    t.text('body').notNullable();
    t.string('updated_at', 32).notNullable();
    t.integer('updated_by').nullable().references('id').inTable('users');
    t.unique(['template', 'language']);
  });
  await knex.schema.createTable('mail_switches', (t) => {
    t.string('template', 40).primary();
    t.boolean('enabled').notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.alterTable('invitations', (t) => {
    t.string('message_language', 8).nullable();
  });
  await knex.schema.alterTable('partner_organizations', (t) => {
    t.string('language', 8).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumns(knex, 'partner_organizations', ['language']);
  await dropColumns(knex, 'invitations', ['message_language']);
  await knex.schema.dropTable('mail_switches');
  await knex.schema.dropTable('mail_templates');
  await knex('settings').whereIn('key', ['branding_company_name', 'branding_logo_url', 'branding_color']).delete();
}
