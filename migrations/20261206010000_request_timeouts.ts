import type { Knex } from 'knex';
import { dropColumns } from './dropColumns.ts';

// Pending requests that don't rot (issue 18, point 1). Each catalog item may set its own time-outs in
// days (remind the approvers, escalate to a fallback approver, expire the request); null follows the
// tenant's defaults, stored as settings rows (an empty value, or 0, turns that step off); 0 on an item
// turns the step off for that item. An approver row added by an escalation says so (`escalated_at`):
// the person it names decides the request although the routing rule would not name them.
export const TIMEOUT_SETTINGS = [
  ['request_remind_days', '3'],
  ['request_escalate_days', '7'],
  ['request_expire_days', '14'],
] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('catalog_items', (t) => {
    t.integer('remind_after_days').nullable();
    t.integer('escalate_after_days').nullable();
    t.integer('expire_after_days').nullable();
  });
  await knex.schema.alterTable('access_request_approvers', (t) => {
    t.string('escalated_at', 32).nullable();
  });
  // The sweep asks every few seconds for the requests of a status that started before a cut-off.
  await knex.schema.alterTable('access_requests', (t) => {
    t.index(['status', 'clock_from'], 'access_requests_status_clock_from');
    t.index(['status', 'info_requested_at'], 'access_requests_status_info_requested_at');
  });
  for (const [key, value] of TIMEOUT_SETTINGS) {
    if (!(await knex('settings').where({ key }).first())) await knex('settings').insert({ key, value });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex('settings').whereIn('key', TIMEOUT_SETTINGS.map(([key]) => key)).delete();
  await knex.schema.alterTable('access_requests', (t) => {
    t.dropIndex(['status', 'info_requested_at'], 'access_requests_status_info_requested_at');
    t.dropIndex(['status', 'clock_from'], 'access_requests_status_clock_from');
  });
  await dropColumns(knex, 'access_request_approvers', ['escalated_at']);
  await dropColumns(knex, 'catalog_items', ['expire_after_days', 'escalate_after_days', 'remind_after_days']);
}
