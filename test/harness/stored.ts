// What the system stored, read back by tests to check it: the reads many test files make, named.
// Rows come as the database returns them (a PostgreSQL bigint is a string: compare with Number()).
import type { Stack } from './stack.ts';

type Where = Record<string, string | number | boolean | null>;

/** The audit events matching `where`, oldest first. */
export async function auditEvents(stack: Pick<Stack, 'db'>, where: Where) {
  return stack.db('audit_events').where(where).orderBy('seq');
}

/** The oldest audit event matching `where` (for an event that happens once). */
export async function auditEvent(stack: Pick<Stack, 'db'>, where: Where) {
  return stack.db('audit_events').where(where).orderBy('seq').first();
}

/** The newest audit event matching `where`. */
export async function lastAuditEvent(stack: Pick<Stack, 'db'>, where: Where) {
  return stack.db('audit_events').where(where).orderBy('seq', 'desc').first();
}

/** The guest user with this e-mail, if there is one. */
export async function guestByEmail(stack: Pick<Stack, 'db'>, email: string) {
  return stack.db('users').where({ email, user_type: 'guest' }).first();
}

/** The user (member or guest) with this e-mail, the oldest if there are both. */
export async function userByEmail(stack: Pick<Stack, 'db'>, email: string) {
  return stack.db('users').where({ email }).orderBy('id').first();
}

/** The access request's row. */
export async function requestRow(stack: Pick<Stack, 'db'>, id: number | string) {
  return stack.db('access_requests').where({ id }).first();
}

/** The identity provider's row. */
export async function idpRow(stack: Pick<Stack, 'db'>, slug: string) {
  return stack.db('identity_providers').where({ slug }).first();
}

/** Whether every stored message has left (none is queued, failed or cancelled). */
export async function allMailSent(stack: Pick<Stack, 'db'>): Promise<boolean> {
  return !(await stack.db('mail_messages').whereNot({ status: 'sent' }).first());
}

/** How many rows a table holds. */
export async function countRows(stack: Pick<Stack, 'db'>, table: string): Promise<number> {
  return Number((await stack.db(table).count({ n: '*' }).first())!.n);
}

/** The user's memberships (expired ones too). */
export async function membershipsOf(stack: Pick<Stack, 'db'>, userId: number | string) {
  return stack.db('memberships').where({ user_id: userId }).orderBy('item_id');
}

/** The identities (issuer, subject) bound to the user. */
export async function identitiesOf(stack: Pick<Stack, 'db'>, userId: number | string) {
  return stack.db('user_identities').where({ user_id: userId }).orderBy('id');
}

/** The user's invitations, oldest first. */
export async function invitationsOf(stack: Pick<Stack, 'db'>, userId: number | string) {
  return stack.db('invitations').where({ user_id: userId }).orderBy('id');
}

/** The invitations made for an access request (one, unless something ran twice). */
export async function invitationsForRequest(stack: Pick<Stack, 'db'>, requestId: number | string) {
  return stack.db('invitations').where({ request_id: requestId }).orderBy('id');
}

/** The approver rows of an access request: whom it was routed to. */
export async function approversOf(stack: Pick<Stack, 'db'>, requestId: number | string) {
  return stack.db('access_request_approvers').where({ request_id: requestId }).orderBy('user_id');
}
