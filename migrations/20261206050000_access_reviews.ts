import type { Knex } from 'knex';

const TS = 32;

// Access reviews (issue 18, point 7). A campaign asks reviewers, by its deadline, whether each guest
// still needs each membership in its scope. One row per (guest, item) in scope, made when the campaign
// opens, with the names as they were then (history stays readable after the guest or the item is gone),
// and the reviewer the rule picked (a sponsor, an owner, or null: any admin). Every transition is
// stamped once and taken with a conditional update: a campaign opens once (`status` scheduled → open),
// is reminded automatically once (`auto_reminded_at`), closes once (open → closed, the defaults and the
// removals applied in the same transaction), and has at most one next instance (`previous_id` unique).
// `series_id` is the first campaign of a recurring series (the API's review definition).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('review_campaigns', (t) => {
    t.increments('id');
    t.integer('series_id').nullable();
    t.integer('previous_id').nullable().unique().references('review_campaigns.id');
    t.string('name', 200).notNullable();
    t.string('scope', 16).notNullable(); // all | organization | item
    t.integer('scope_id').nullable();
    t.string('scope_name', 200).nullable();
    t.integer('recurrence_months').nullable(); // 3 | 6 | 12
    t.string('default_decision', 8).notNullable(); // keep | remove
    t.string('status', 16).notNullable(); // scheduled | open | closed
    t.string('starts_at', TS).notNullable();
    t.string('deadline_at', TS).notNullable();
    t.string('remind_at', TS).notNullable();
    t.string('auto_reminded_at', TS).nullable();
    t.integer('reminders_sent').notNullable().defaultTo(0);
    t.string('opened_at', TS).nullable();
    t.string('closed_at', TS).nullable();
    t.integer('created_by').nullable().references('users.id');
    t.string('created_at', TS).notNullable();
    t.index(['status', 'deadline_at']);
    t.index(['status', 'starts_at']);
    t.index(['series_id', 'id']);
  });
  await knex.schema.createTable('review_rows', (t) => {
    t.increments('id');
    t.integer('campaign_id').notNullable().references('review_campaigns.id');
    t.integer('guest_id').notNullable();
    t.string('guest_name', 200).notNullable();
    t.string('guest_email', 320).notNullable();
    t.string('organization_name', 200).nullable();
    t.integer('item_id').notNullable();
    t.string('item_name', 200).notNullable();
    t.string('membership_expires_at', TS).nullable();
    // Lower-cased guest, organization and item words: the page's text filter reads one column.
    t.string('search_text', 1000).notNullable();
    t.string('reviewer_kind', 8).notNullable(); // sponsor | owner | admins
    t.integer('reviewer_id').nullable().references('users.id');
    t.string('decision', 8).nullable(); // keep | remove
    t.text('reason').nullable();
    t.integer('decided_by').nullable().references('users.id');
    t.string('decided_at', TS).nullable();
    t.boolean('defaulted').notNullable().defaultTo(false);
    t.string('applied_at', TS).nullable();
    t.string('apply_result', 16).nullable(); // removed | gone
    t.unique(['campaign_id', 'guest_id', 'item_id']);
    t.index(['campaign_id', 'reviewer_id', 'id']);
    t.index(['reviewer_id', 'campaign_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('review_rows');
  await knex.schema.dropTableIfExists('review_campaigns');
}
