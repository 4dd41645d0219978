import type { Knex } from 'knex';

const TS = 32;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('settings', (t) => {
    t.string('key', 100).primary();
    t.text('value').notNullable();
  });
  // Whether someone whose domain belongs to no partner organization may ask at all.
  await knex('settings').insert({ key: 'unknown_domains_may_request', value: 'true' });

  await knex.schema.createTable('organization_auto_approve_items', (t) => {
    t.integer('organization_id').notNullable().references('partner_organizations.id').onDelete('CASCADE');
    t.integer('item_id').notNullable().references('catalog_items.id').onDelete('CASCADE');
    t.primary(['organization_id', 'item_id']);
  });

  await knex.schema.alterTable('catalog_items', (t) => {
    // Owners decide requests for this item themselves (and invite and remove its guests).
    t.boolean('self_service').notNullable().defaultTo(false);
    // anyone: any partner with a verified e-mail; known_partners: only people of a registered organization.
    t.string('audience', 16).notNullable().defaultTo('anyone');
  });

  await knex.schema.createTable('catalog_owners', (t) => {
    t.integer('item_id').notNullable().references('catalog_items.id').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.primary(['item_id', 'user_id']);
    t.index(['user_id', 'item_id']);
  });

  await knex.schema.createTable('guest_sponsors', (t) => {
    t.integer('guest_id').notNullable().references('users.id').onDelete('CASCADE');
    t.integer('sponsor_id').notNullable().references('users.id').onDelete('CASCADE');
    t.primary(['guest_id', 'sponsor_id']);
  });

  await knex.schema.alterTable('invitations', (t) => {
    t.text('cc').nullable(); // space-separated addresses
    t.integer('batch_id').nullable();
  });

  await knex.schema.alterTable('mail_messages', (t) => {
    t.text('cc').nullable(); // space-separated addresses
  });

  await knex.schema.createTable('invitation_batches', (t) => {
    t.increments('id');
    t.integer('created_by').notNullable().references('users.id');
    t.string('status', 16).notNullable(); // queued | running | done
    t.integer('total').notNullable();
    t.integer('processed').notNullable().defaultTo(0);
    t.text('item_ids').notNullable(); // JSON array
    t.text('message').nullable();
    t.text('cc').nullable();
    t.string('redirect_url', 2000).nullable();
    t.string('created_at', TS).notNullable();
    t.string('finished_at', TS).nullable();
  });

  await knex.schema.createTable('invitation_batch_rows', (t) => {
    t.increments('id');
    t.integer('batch_id').notNullable().references('invitation_batches.id').onDelete('CASCADE');
    t.integer('row_number').notNullable();
    t.string('email', 320).notNullable();
    t.string('display_name', 200).nullable();
    // pending | invited | already_guest | refused_domain | malformed
    t.string('result', 20).notNullable();
    t.string('detail', 300).nullable();
    t.unique(['batch_id', 'row_number']);
  });

  await knex.schema.createTable('one_time_codes', (t) => {
    t.increments('id');
    t.string('email', 320).notNullable();
    t.string('code_hash', 64).notNullable().unique();
    t.string('expires_at', TS).notNullable();
    t.string('consumed_at', TS).nullable();
    t.string('created_at', TS).notNullable();
    t.index(['email', 'created_at']);
  });

  // Partners without an IdP sign in with a one-time code; their identities need a provider row too.
  const stamp = new Date().toISOString();
  await knex('identity_providers').insert({
    slug: 'email-code',
    name: 'E-mail one-time code',
    kind: 'email',
    issuer: 'urn:passerelle:email-code',
    client_id: '-',
    client_secret: '-',
    scopes: '',
    email_domains: '',
    enabled: true,
    created_at: stamp,
    updated_at: stamp,
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('identity_providers').where({ slug: 'email-code' }).delete();
  for (const table of ['one_time_codes', 'invitation_batch_rows', 'invitation_batches', 'guest_sponsors', 'catalog_owners', 'organization_auto_approve_items', 'settings']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.schema.alterTable('mail_messages', (t) => {
    t.dropColumn('cc');
  });
  await knex.schema.alterTable('invitations', (t) => {
    t.dropColumn('cc');
    t.dropColumn('batch_id');
  });
  await knex.schema.alterTable('catalog_items', (t) => {
    t.dropColumn('self_service');
    t.dropColumn('audience');
  });
}
