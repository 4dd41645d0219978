import type { Knex } from 'knex';
import { dropColumns } from './dropColumns.ts';

// Two-stage approval (issue 18, point 3): a catalog item may ask for a second approval after the
// first (the organization's sponsor, or the item's owners when it is self-service). `second_approval`
// names who gives it: 'owners' (the item's owners, else the admins when it has none) or 'admins';
// null: one stage, as before. The request's own stage and each approver's stage are in
// 20261206000000_request_lifecycle.ts.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('catalog_items', (t) => {
    t.string('second_approval', 8).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumns(knex, 'catalog_items', ['second_approval']);
}
