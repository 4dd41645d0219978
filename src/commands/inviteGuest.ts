// Gives one person access to catalog items: the guest user (created or reused), the memberships,
// and either an invitation (someone not yet bound to an identity) or an "access ready" mail.
// Runs inside the caller's transaction; provisioning, batches of invitations, the invitation API
// and redemption resets all use it. How the invitation is delivered is the `issue` function's
// choice (issueInvitation.ts); by default it is mailed.
import type { Config } from '../config.ts';
import type { AuditContext } from '../db/audit.ts';
import type { Tx } from '../db/knex.ts';
import type { User } from '../db/rows.ts';
import { addGuestSponsor } from '../db/guests.ts';
import { queueSystemMail } from '../mail/send.ts';
import { addedMail, grantedMail } from '../mail/templates.ts';
import { enrollGuest } from './enrollGuest.ts';
import { grantAccess } from './grantAccess.ts';
import { issueInvitation, type InvitationTerms, type IssueInvitation } from './issueInvitation.ts';

export interface InviteInput extends InvitationTerms {
  email: string;
  displayName: string;
  source: 'request' | 'invitation';
  /** A guest already known by this identity (a later request of someone who redeemed before). */
  knownUser?: User;
  /** The last day the request grants access for (YYYY-MM-DD); null or absent: each item's own limit. */
  accessUntil?: string | null;
}

export interface InviteResult {
  user: User;
  outcome: 'invited' | 'already_guest';
  invitationId: number | null;
  /** The raw link token, when the delivery makes one: shown once to the caller, never stored. */
  linkToken?: string;
}

export async function inviteGuest(
  trx: Tx,
  config: Config,
  ctx: AuditContext,
  input: InviteInput,
  issue: IssueInvitation = issueInvitation,
): Promise<InviteResult> {
  const user = input.knownUser ?? (await enrollGuest(trx, ctx, { email: input.email, displayName: input.displayName, requestId: input.requestId }));
  if (input.invitedBy) await addGuestSponsor(trx, user.id, input.invitedBy);
  const grantedAt = Date.now();
  await grantAccess(trx, ctx, user, input.items, { source: input.source, sourceId: input.requestId ?? input.batchId ?? null, grantedBy: input.invitedBy, until: input.accessUntil }, grantedAt);

  if (user.state === 'active') {
    // Nothing new to tell someone who already has access and was given nothing more.
    if (input.items.length > 0) await tellAccessAdded(trx, config, user, input, grantedAt);
    return { user, outcome: 'already_guest', invitationId: null };
  }
  return { user, outcome: 'invited', ...(await issue(trx, config, ctx, user, input)) };
}

/** To a guest who can already sign in: what a request of theirs granted, or what they were given directly. */
async function tellAccessAdded(trx: Tx, config: Config, user: User, input: InviteInput, grantedAt: number): Promise<void> {
  const draft = input.requestId
    ? grantedMail(config, `request:${input.requestId}`, user.email, input.items, input.sponsorName, input.decision)
    : addedMail(config, `batch:${input.batchId ?? 'direct'}:${user.id}:${grantedAt}`, user.email, input.items, input.sponsorName);
  await queueSystemMail(trx, { ...draft, cc: input.cc });
}
