import type { Knex } from 'knex';

// The conversation of a request (issue 18, point 2): an approver asks the requester a question, she
// answers on her request page, and both stay with the request for as long as it exists, decided or
// expired, for everyone who may read it. The words live here, not in the audit log (whose events
// say only that a question was asked or answered, and how long it was). An answer has no author user:
// the requester is known by the request's (issuer, subject), and may have no account yet.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('access_request_questions', (t) => {
    t.increments('id');
    t.integer('request_id').notNullable().references('access_requests.id').onDelete('CASCADE');
    // asker: an approver's question; answer: the requester's reply.
    t.string('role', 8).notNullable();
    // The approver who asked; null for the requester's answer.
    t.integer('author_user_id').nullable().references('users.id').onDelete('SET NULL');
    t.text('body').notNullable();
    t.string('at', 32).notNullable();
    t.index(['request_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('access_request_questions');
}
