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
import { accessExtendedMail } from '../mail/expiryMails.ts';
import { now } from '../domain/clock.ts';
import { enrollGuest } from './enrollGuest.ts';
import { grantAccess, type GrantOutcome } from './grantAccess.ts';
import { issueInvitation, type InvitationTerms, type IssueInvitation } from './issueInvitation.ts';

export interface InviteInput extends InvitationTerms {
  email: string;
  displayName: string;
  source: 'request' | 'invitation';
  /** A guest already known by this identity (a later request of someone who redeemed before). */
  knownUser?: User;
  /** The last day the request grants access for (YYYY-MM-DD); null or absent: each item's own limit. */
  accessUntil?: string | null;
  /** When the access was decided (ms since the epoch): its terms count from then; absent, from now. */
  grantedAt?: number;
  /** An approved extension of the guest's running membership: its end moves (issue 18, point 5). */
  extension?: boolean;
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
  const grantedAt = input.grantedAt ?? now();
  const grant = { source: input.source, sourceId: input.requestId ?? input.batchId ?? null, grantedBy: input.invitedBy, until: input.accessUntil, extension: input.extension };
  const outcomes = await grantAccess(trx, ctx, user, input.items, grant, grantedAt);

  if (user.state === 'active') {
    // An extension says the new end of what it extended (what it granted anew, an ended one, too).
    if (input.extension && input.requestId) await tellExtended(trx, config, user, input, outcomes);
    // Nothing new to tell someone who already has access and was given nothing more.
    else if (input.items.length > 0) await tellAccessAdded(trx, config, user, input, grantedAt);
    return { user, outcome: 'already_guest', invitationId: null };
  }
  return { user, outcome: 'invited', ...(await issue(trx, config, ctx, user, input)) };
}

async function tellExtended(trx: Tx, config: Config, user: User, input: InviteInput, outcomes: GrantOutcome[]): Promise<void> {
  const changed = outcomes.filter((o) => o.outcome !== 'unchanged').map((o) => ({ item: o.item.name, expiresAt: o.expiresAt }));
  if (changed.length === 0) return;
  await queueSystemMail(trx, accessExtendedMail(config, input.requestId!, { id: user.id, email: user.email }, changed, input.sponsorName));
}

/** To a guest who can already sign in: what a request of theirs granted, or what they were given directly. */
async function tellAccessAdded(trx: Tx, config: Config, user: User, input: InviteInput, grantedAt: number): Promise<void> {
  const draft = input.requestId
    ? grantedMail(config, `request:${input.requestId}`, user.email, input.items, input.sponsorName, input.decision)
    : addedMail(config, `batch:${input.batchId ?? 'direct'}:${user.id}:${grantedAt}`, user.email, input.items, input.sponsorName);
  await queueSystemMail(trx, { ...draft, cc: input.cc });
}
