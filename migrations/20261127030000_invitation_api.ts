import type { Knex } from 'knex';

const TS = 32;

// Programs call the Graph-shaped API with a bearer token: only its SHA-256 is stored, next to a short
// prefix people can recognise in the admin list. Revocation keeps the row (and its audit trail).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_clients', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable();
    t.text('scopes').notNullable(); // space-separated
    t.string('token_hash', 64).notNullable().unique();
    t.string('token_prefix', 16).notNullable();
    t.integer('created_by').nullable().references('users.id');
    t.string('created_at', TS).notNullable();
    t.string('last_used_at', TS).nullable();
    t.string('revoked_at', TS).nullable();
  });
  await knex.schema.alterTable('invitations', (t) => {
    // The redeem URL returned once in an API response (Graph's inviteRedeemUrl). It is a second
    // token so that mailing the invitation, which mints its own, does not break the returned link.
    t.string('link_token_hash', 64).nullable().unique();
    t.integer('invited_by_client').nullable().references('api_clients.id');
  });
  await knex.schema.alterTable('access_requests', (t) => {
    t.integer('decided_by_client').nullable().references('api_clients.id');
  });
  // Graph's directoryAudits are filtered by activityDateTime.
  await knex.schema.alterTable('audit_events', (t) => {
    t.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_events', (t) => {
    t.dropIndex(['at']);
  });
  await knex.schema.alterTable('access_requests', (t) => {
    t.dropColumn('decided_by_client');
  });
  await knex.schema.alterTable('invitations', (t) => {
    t.dropColumn('invited_by_client');
    t.dropColumn('link_token_hash');
  });
  await knex.schema.dropTableIfExists('api_clients');
}
