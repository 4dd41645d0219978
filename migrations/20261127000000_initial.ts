import type { Knex } from 'knex';

// Times are ISO-8601 UTC strings: they sort as text and read the same on SQLite and PostgreSQL.
const TS = 32;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('identity_providers', (t) => {
    t.increments('id');
    t.string('slug', 64).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('kind', 16).notNullable(); // home | partner | social
    t.string('issuer', 500).notNullable();
    t.string('client_id', 300).notNullable();
    t.string('client_secret', 500).notNullable();
    t.string('scopes', 300).notNullable().defaultTo('openid email profile');
    // Space-separated e-mail domains this provider serves, for home-realm discovery.
    t.text('email_domains').notNullable().defaultTo('');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('display_name', 200).notNullable();
    t.string('email', 320).notNullable();
    t.string('user_type', 16).notNullable(); // member | guest
    t.string('state', 16).notNullable(); // invited | active | disabled | removed
    t.string('role', 16).nullable(); // admin
    t.string('created_at', TS).notNullable();
    t.string('last_sign_in_at', TS).nullable();
    t.unique(['user_type', 'email']);
  });

  await knex.schema.createTable('partner_organizations', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable().unique();
    t.integer('identity_provider_id').nullable().references('identity_providers.id');
    t.string('policy', 16).notNullable().defaultTo('allow'); // allow | deny | auto_approve
    t.string('created_at', TS).notNullable();
  });

  await knex.schema.createTable('organization_domains', (t) => {
    t.string('domain', 253).primary();
    t.integer('organization_id').notNullable().references('partner_organizations.id').onDelete('CASCADE');
  });

  await knex.schema.createTable('organization_sponsors', (t) => {
    t.integer('organization_id').notNullable().references('partner_organizations.id').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.primary(['organization_id', 'user_id']);
  });

  await knex.schema.createTable('user_identities', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('issuer', 500).notNullable();
    t.string('subject', 255).notNullable();
    t.integer('identity_provider_id').nullable().references('identity_providers.id');
    t.string('created_at', TS).notNullable();
    t.unique(['issuer', 'subject']);
  });

  await knex.schema.createTable('catalog_items', (t) => {
    t.increments('id');
    t.string('kind', 16).notNullable(); // group | app
    t.string('name', 200).notNullable().unique();
    t.text('description').notNullable().defaultTo('');
    t.string('launch_url', 2000).nullable();
    t.boolean('requestable').notNullable().defaultTo(true);
    t.integer('max_days').nullable();
    t.string('created_at', TS).notNullable();
  });

  await knex.schema.createTable('access_requests', (t) => {
    t.increments('id');
    t.string('requester_issuer', 500).notNullable();
    t.string('requester_subject', 255).notNullable();
    t.string('requester_email', 320).notNullable();
    t.string('requester_name', 200).notNullable();
    t.integer('identity_provider_id').notNullable().references('identity_providers.id');
    t.integer('organization_id').nullable().references('partner_organizations.id');
    t.text('justification').notNullable();
    t.string('status', 16).notNullable();
    t.string('routed_at', TS).nullable();
    t.integer('decided_by').nullable().references('users.id');
    t.text('decision_reason').nullable();
    t.string('decided_at', TS).nullable();
    t.integer('guest_user_id').nullable().references('users.id');
    t.string('provisioned_at', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.string('updated_at', TS).notNullable();
    t.index(['requester_issuer', 'requester_subject', 'id']);
    t.index(['status', 'id']);
  });

  await knex.schema.createTable('access_request_items', (t) => {
    t.integer('request_id').notNullable().references('access_requests.id').onDelete('CASCADE');
    t.integer('item_id').notNullable().references('catalog_items.id');
    t.primary(['request_id', 'item_id']);
  });

  await knex.schema.createTable('access_request_approvers', (t) => {
    t.integer('request_id').notNullable().references('access_requests.id').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.primary(['request_id', 'user_id']);
    t.index(['user_id', 'request_id']);
  });

  await knex.schema.createTable('invitations', (t) => {
    t.increments('id');
    t.string('email', 320).notNullable();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    // One invitation per approved request: the provisioning job can run twice and still make one.
    t.integer('request_id').nullable().unique().references('access_requests.id');
    t.integer('invited_by').nullable().references('users.id');
    t.string('redirect_url', 2000).nullable();
    t.text('message').nullable();
    t.string('status', 16).notNullable(); // pending | redeemed | revoked | expired
    t.string('token_hash', 64).notNullable().unique();
    t.string('expires_at', TS).notNullable();
    t.string('redeemed_at', TS).nullable();
    t.string('redeemed_issuer', 500).nullable();
    t.string('redeemed_subject', 255).nullable();
    t.string('created_at', TS).notNullable();
  });

  await knex.schema.createTable('memberships', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.integer('item_id').notNullable().references('catalog_items.id').onDelete('CASCADE');
    t.string('source', 16).notNullable(); // request | invitation | direct
    t.integer('source_id').nullable();
    t.integer('granted_by').nullable().references('users.id');
    t.string('expires_at', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.unique(['user_id', 'item_id']);
  });

  await knex.schema.createTable('mail_messages', (t) => {
    t.increments('id');
    // What the message is about (e.g. "invitation:12"): the same cause never mails twice.
    t.string('dedupe_key', 200).notNullable().unique();
    t.string('to_address', 320).notNullable();
    t.string('subject', 300).notNullable();
    t.text('text_body').notNullable();
    t.text('html_body').notNullable();
    t.string('status', 16).notNullable(); // queued | sent | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    t.string('sent_at', TS).nullable();
    t.string('created_at', TS).notNullable();
  });

  await knex.schema.createTable('outbox', (t) => {
    t.increments('id');
    t.string('topic', 100).notNullable();
    t.text('payload').notNullable();
    t.string('created_at', TS).notNullable();
    t.string('published_at', TS).nullable();
    t.index(['published_at', 'id']);
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.bigInteger('seq').primary();
    t.string('at', TS).notNullable();
    t.string('actor_type', 16).notNullable(); // user | anonymous | system | api
    t.string('actor_id', 600).nullable(); // "user:12 iss|sub" or "system:worker"
    t.string('actor_label', 320).nullable(); // e-mail or client name, for people reading the log
    t.string('action', 100).notNullable();
    t.string('target', 200).nullable(); // "request:12"
    t.string('outcome', 16).notNullable(); // success | denied | failure
    t.string('ip', 64).nullable();
    t.string('correlation_id', 100).nullable();
    t.text('details').notNullable();
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
    t.index(['action', 'seq']);
    t.index(['actor_label', 'seq']);
    t.index(['target', 'seq']);
  });

  // A single row that every state-changing transaction locks first: it serialises writers across
  // processes (SQLite: the write lock is taken before any read; PostgreSQL: a row lock) and holds the
  // chain's head so a deleted last event is noticed too.
  await knex.schema.createTable('audit_head', (t) => {
    t.integer('id').primary();
    t.bigInteger('seq').notNullable();
    t.string('hash', 64).notNullable();
    t.string('locked_at', TS).nullable();
  });
  await knex('audit_head').insert({ id: 1, seq: 0, hash: '0'.repeat(64) });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'audit_head', 'audit_events', 'outbox', 'mail_messages', 'memberships', 'invitations',
    'access_request_approvers', 'access_request_items', 'access_requests', 'catalog_items',
    'user_identities', 'organization_sponsors', 'organization_domains', 'partner_organizations',
    'users', 'identity_providers',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
