import type { Knex } from 'knex';
import { dropColumns } from './dropColumns.ts';

// A pending request's life over time (issue 18). Its time-outs (remind, escalate, expire) count from
// `clock_from`: the moment it was submitted, moved forward by the time it spent waiting for the
// requester's answer, and reset when it reaches a new approval stage. Each step taken is stamped once
// (`reminded_at`, `escalated_at`), so a sweep that runs twice, or on two workers, acts once.
// `info_requested_at` is when an approver last asked the requester a question (status
// info_requested); `stage` is the approval stage the request waits on (1, or 2 for items that need a
// second approval); each approver row says which stage it was routed for.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('access_requests', (t) => {
    t.string('clock_from', 32).nullable();
    t.string('reminded_at', 32).nullable();
    t.string('escalated_at', 32).nullable();
    t.string('info_requested_at', 32).nullable();
    t.integer('stage').notNullable().defaultTo(1);
  });
  await knex('access_requests').update({ clock_from: knex.ref('created_at') });
  // The stage an approver was routed for: a stage-1 sponsor may not decide stage 2, nor the reverse.
  await knex.schema.alterTable('access_request_approvers', (t) => {
    t.integer('stage').notNullable().defaultTo(1);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumns(knex, 'access_request_approvers', ['stage']);
  await dropColumns(knex, 'access_requests', ['stage', 'info_requested_at', 'escalated_at', 'reminded_at', 'clock_from']);
}
