import type { Knex } from 'knex';
import { dropColumns } from './dropColumns.ts';

// What the partner and the sponsor choose about a request beyond yes or no: the date the partner
// asks her access to last until, the (perhaps earlier) date the sponsor grants, and the decision on
// each item (a sponsor may approve some and deny others). Dates are calendar days (YYYY-MM-DD): the
// access lasts through that day, in UTC. A guest's display name she set herself is kept over the
// name her identity provider sends at each sign-in.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('access_requests', (t) => {
    t.string('requested_until', 10).nullable();
    t.string('granted_until', 10).nullable();
  });
  await knex.schema.alterTable('access_request_items', (t) => {
    // approved | denied; null while undecided (and for requests decided before this column, all approved
    // when the request was).
    t.string('decision', 8).nullable();
  });
  await knex.schema.alterTable('users', (t) => {
    t.boolean('name_chosen').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumns(knex, 'users', ['name_chosen']);
  await dropColumns(knex, 'access_request_items', ['decision']);
  await dropColumns(knex, 'access_requests', ['granted_until', 'requested_until']);
}
