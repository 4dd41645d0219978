import type { Knex } from 'knex';
import { dropColumns } from './dropColumns.ts';

// Separation of duties in two-stage approval (issue 18, point 3: "both must approve in order"): who
// gave a request's first approval, a member (stage1_decided_by, a user id) or an API client
// (stage1_decided_by_client), so that the second approval, and any escalation, come from someone
// else. Both null: stage 1 not given yet, or given by the organization's auto-approve policy.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('access_requests', (t) => {
    t.integer('stage1_decided_by').nullable();
    t.integer('stage1_decided_by_client').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumns(knex, 'access_requests', ['stage1_decided_by', 'stage1_decided_by_client']);
}
