import type { Knex } from 'knex';

const TS = 32;

// Passerelle as the OpenID Provider of the catalog's applications: each app item may have one
// OpenID Connect client; oidc-provider keeps its grants, sessions, codes and tokens in oidc_payloads
// (its adapter, src/oidc/adapter.ts); its signing keys live in oidc_keys with the private half
// encrypted; a person's consent to an app outlives any one session, so it has a table of its own.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('app_clients', (t) => {
    t.increments('id');
    t.string('client_id', 64).notNullable().unique();
    t.integer('item_id').notNullable().unique().references('catalog_items.id').onDelete('CASCADE');
    t.boolean('public_client').notNullable().defaultTo(false);
    // AES-256-GCM under OIDC_SECRET_KEY; null for public clients. oidc-provider compares it in clear.
    t.text('secret_encrypted').nullable();
    t.string('secret_rotated_at', TS).nullable();
    t.text('redirect_uris').notNullable(); // JSON array, exact match
    t.text('post_logout_redirect_uris').notNullable().defaultTo('[]');
    t.string('backchannel_logout_uri', 2000).nullable();
    t.string('initiate_login_uri', 2000).nullable();
    t.text('claims').notNullable(); // JSON array of the optional claims the app receives
    t.text('visible_group_ids').notNullable().defaultTo('[]'); // JSON array of catalog group ids
    t.boolean('assignment_required').notNullable().defaultTo(true);
    t.boolean('allow_members').notNullable().defaultTo(false);
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
  });

  await knex.schema.createTable('oidc_payloads', (t) => {
    t.string('type', 40).notNullable();
    t.string('id', 255).notNullable();
    t.text('payload').notNullable();
    t.string('grant_id', 255).nullable();
    t.string('user_code', 255).nullable();
    t.string('uid', 255).nullable();
    // Set for grants (and the tokens of a grant) so that access ending can find them by person and app.
    t.string('account_id', 64).nullable();
    t.string('client_id', 64).nullable();
    t.string('expires_at', TS).nullable();
    t.string('consumed_at', TS).nullable();
    t.primary(['type', 'id']);
    t.index(['grant_id']);
    t.index(['uid']);
    t.index(['user_code']);
    t.index(['expires_at']);
    t.index(['account_id', 'client_id']);
  });

  await knex.schema.createTable('oidc_keys', (t) => {
    t.string('kid', 64).primary();
    t.string('alg', 16).notNullable();
    t.text('public_jwk').notNullable();
    t.text('private_encrypted').notNullable();
    t.string('created_at', TS).notNullable();
    // Set when a newer key takes over signing; the key stays published until retire_after.
    t.string('retired_at', TS).nullable();
    t.string('retire_after', TS).nullable();
  });

  await knex.schema.createTable('app_consents', (t) => {
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.integer('item_id').notNullable().references('catalog_items.id').onDelete('CASCADE');
    t.text('claims').notNullable(); // JSON array: what was shown and accepted
    t.string('granted_at', TS).notNullable();
    t.primary(['user_id', 'item_id']);
  });

  // The worker's sweep tells apps once that an expired membership's access has ended.
  await knex.schema.alterTable('memberships', (t) => {
    t.string('access_ended_at', TS).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('memberships', (t) => t.dropColumn('access_ended_at'));
  await knex.schema.dropTable('app_consents');
  await knex.schema.dropTable('oidc_keys');
  await knex.schema.dropTable('oidc_payloads');
  await knex.schema.dropTable('app_clients');
}
