// Edits to stored rows that stand for what a test cannot wait for or act out: time passing (an
// invitation or a code expiring), or something done outside the story the test tells (an IdP that
// moved, a switch flipped straight in the database, a relay that forgot what it published). They go
// around the product on purpose, so each one says what it stands for.
import type { Stack } from './stack.ts';
import { idpIdOf } from './world.ts';
import { markIdpChanged, updateIdp, type IdpFields } from '../../src/db/identityProviders.ts';
import type { Invitation } from '../../src/db/rows.ts';

const aMinuteAgo = () => new Date(Date.now() - 60_000).toISOString();

/** Their fourteen days have passed: these invitations expired a minute ago. */
export async function expireInvitations(stack: Stack, which: { email: string } | { id: number }): Promise<void> {
  await stack.db('invitations').where(which).update({ expires_at: aMinuteAgo() });
}

/** Sets the status of these invitations (revoked, say, by an admin between two steps of a test). */
export async function setInvitationStatus(stack: Stack, which: { id?: number; email?: string; status?: Invitation['status'] }, status: Invitation['status']): Promise<void> {
  await stack.db('invitations').where(which).update({ status });
}

/** Ten minutes have passed: the one-time codes mailed to this address expired a minute ago. */
export async function expireCodes(stack: Stack, email: string): Promise<void> {
  await stack.db('one_time_codes').where({ email }).update({ expires_at: aMinuteAgo() });
}

/**
 * Edits an identity provider's row past the admin form's checks: an issuer that moved, or one the
 * form would refuse; the enabled switch, also of the built-in e-mail code, which the console has none
 * for. Like every save it moves the row's version, so each web process rebuilds the provider.
 */
export async function editIdpRow(stack: Stack, slug: string, changes: Partial<IdpFields>): Promise<void> {
  await updateIdp(stack.db, await idpIdOf(stack, slug), changes);
}

/** What an admin's working "test connection" leaves: the row changed, so every web process forgets a failed discovery. */
export async function touchIdpRow(stack: Stack, slug: string): Promise<void> {
  await markIdpChanged(stack.db, await idpIdOf(stack, slug));
}

/** The relay forgets that it published anything: every outbox row is waiting again. */
export async function unpublishOutbox(stack: Stack): Promise<void> {
  await stack.db('outbox').update({ published_at: null });
}

/** Their days have passed: the person's memberships of this item expired a minute ago. */
export async function expireMemberships(stack: Stack, userId: number, itemId: number): Promise<void> {
  await stack.db('memberships').where({ user_id: userId, item_id: itemId }).update({ expires_at: aMinuteAgo() });
}

/**
 * The person's membership of this item was granted for a term that ends at `at` (a notice or an end to
 * come, or past), granted at `grantedAt` when given (else when it was made): no expiry notice is sent
 * for a threshold at least as long as the whole term.
 */
export async function setMembershipEnd(stack: Stack, userId: number, itemId: number, at: Date, grantedAt?: Date): Promise<void> {
  await stack.db('memberships').where({ user_id: userId, item_id: itemId }).update({ expires_at: at.toISOString(), ...(grantedAt && { created_at: grantedAt.toISOString() }) });
}

/** Every token a retired signing key signed has expired: its publication ended a minute ago. */
export async function endKeyPublication(stack: Stack, kid: string): Promise<void> {
  await stack.db('oidc_keys').where({ kid }).whereNotNull('retired_at').update({ retire_after: aMinuteAgo() });
}

/** The OpenID Provider's stored objects of this kind (an access token, say) for this person and app reached their expiry a minute ago. */
export async function expireOidcRows(stack: Stack, which: { type: string; accountId: string; clientId: string }): Promise<number> {
  return stack.db('oidc_payloads').where({ type: which.type, account_id: which.accountId, client_id: which.clientId }).update({ expires_at: aMinuteAgo() });
}

/**
 * An approver asked the requester a question about this request, now, and she has not answered: the
 * status and time that asking leaves on the request (the question's own row, and its mail, left out:
 * only the unanswered wait matters to the time-outs).
 */
export async function askedAndUnanswered(stack: Stack, requestId: number): Promise<void> {
  await stack.db('access_requests').where({ id: requestId, status: 'pending' }).update({ status: 'info_requested', info_requested_at: new Date().toISOString() });
}
