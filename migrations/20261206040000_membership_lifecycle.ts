import type { Knex } from 'knex';
import { dropColumns } from './dropColumns.ts';

// Access that ends on time, with notice, and extensions (issue 18, points 4 and 5).
// - `membership_notices`: each expiry notice sent, once per membership, threshold (days before) and
//   term (`expires_at`): the unique key is what makes two workers send it once, and a membership
//   extended since (a new expires_at) gets fresh notices.
// - `guest_retirements`: a guest whose last membership ended, disabled and later removed by the
//   system, once per "last end" (`ended_at`), so an admin who enables the guest again is not overruled.
// - `access_requests.extension_of`: the membership a request asks to extend; at most one open
//   extension per membership (a partial unique index, the same on SQLite and PostgreSQL).
// - the tenant's settings: notice thresholds, grace before disabling, delay before removing ('' is off).
export const EXPIRY_SETTINGS = [
  ['expiry_notice_days', '14, 3'],
  ['inactive_disable_days', '30'],
  ['inactive_remove_days', '90'],
] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('membership_notices', (t) => {
    t.increments('id');
    // No foreign key: a removed guest's memberships go, the notices sent stay on record.
    t.integer('membership_id').notNullable();
    t.integer('days').notNullable();
    t.string('expires_at', 32).notNullable();
    t.string('sent_at', 32).notNullable();
    t.unique(['membership_id', 'days', 'expires_at']);
  });
  await knex.schema.createTable('guest_retirements', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('ended_at', 32).notNullable();
    t.string('disabled_at', 32).nullable();
    t.string('removed_at', 32).nullable();
    t.unique(['user_id', 'ended_at']);
  });
  await knex.schema.alterTable('access_requests', (t) => {
    t.integer('extension_of').nullable();
  });
  await knex.raw(
    "create unique index access_requests_open_extension on access_requests (extension_of) where extension_of is not null and status in ('pending', 'info_requested', 'approved')",
  );
  await knex.schema.alterTable('memberships', (t) => {
    t.index(['expires_at'], 'memberships_expires_at');
  });
  for (const [key, value] of EXPIRY_SETTINGS) {
    if (!(await knex('settings').where({ key }).first())) await knex('settings').insert({ key, value });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex('settings').whereIn('key', EXPIRY_SETTINGS.map(([key]) => key)).delete();
  await knex.schema.alterTable('memberships', (t) => t.dropIndex(['expires_at'], 'memberships_expires_at'));
  await knex.raw('drop index access_requests_open_extension');
  await dropColumns(knex, 'access_requests', ['extension_of']);
  await knex.schema.dropTableIfExists('guest_retirements');
  await knex.schema.dropTableIfExists('membership_notices');
}
