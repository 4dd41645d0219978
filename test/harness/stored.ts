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

/** The guest users with this e-mail (there should never be two). */
export async function guestsWithEmail(stack: Pick<Stack, 'db'>, email: string) {
  return stack.db('users').where({ email, user_type: 'guest' }).orderBy('id');
}

/** The access requests made with this e-mail address, oldest first. */
export async function requestsOf(stack: Pick<Stack, 'db'>, email: string) {
  return stack.db('access_requests').where({ requester_email: email }).orderBy('id');
}

/** The oldest access request made with this e-mail address, if any. */
export async function requestOf(stack: Pick<Stack, 'db'>, email: string) {
  return stack.db('access_requests').where({ requester_email: email }).orderBy('id').first();
}

/** The identities of this subject, at whatever issuer. */
export async function identitiesWithSubject(stack: Pick<Stack, 'db'>, subject: string) {
  return stack.db('user_identities').where({ subject }).orderBy('id');
}

/** The stored messages whose dedupe key matches this LIKE pattern (`request:7:route:%`), oldest first. */
export async function mailsLike(stack: Pick<Stack, 'db'>, dedupeKeyPattern: string) {
  return stack.db('mail_messages').where('dedupe_key', 'like', dedupeKeyPattern).orderBy('id');
}

/** A partner organization as stored, with its domains and the ids of its sponsors (what its admin form shows). */
export async function organizationNamed(stack: Pick<Stack, 'db'>, name: string) {
  const org = await stack.db('partner_organizations').where({ name }).first();
  if (!org) return undefined;
  const domains = (await stack.db('organization_domains').where({ organization_id: org.id }).orderBy('domain')).map((d) => d.domain as string);
  const sponsors = (await stack.db('organization_sponsors').where({ organization_id: org.id }).orderBy('user_id')).map((s) => Number(s.user_id));
  return { ...org, domains, sponsors };
}
