// Graph's invitation API: invite someone as a guest (or reset a guest's redemption) on behalf of an
// API client. Shares inviteGuest with provisioning, admins and owners; only the checks differ. A
// reset is the admins' resetRedemption: it refuses disabled and removed guests and tells the guest's
// previous address and sponsors.
import type { Deps } from '../deps.ts';
import type { AuditContext } from '../db/audit.ts';
import type { ApiClient } from '../db/apiClients.ts';
import { inTransaction } from '../db/knex.ts';
import { findOrgForDomain } from '../db/organizations.ts';
import { findUserByEmail } from '../db/users.ts';
import { findGuest } from '../db/guests.ts';
import { latestInvitation } from '../db/invitations.ts';
import { listAllItems } from '../db/catalog.ts';
import { AppError, conflict, forbidden, invalid, notFound } from '../domain/errors.ts';
import { emailDomain } from '../domain/principal.ts';
import { isDenied } from '../domain/organizationPolicy.ts';
import { grants } from '../domain/scopes.ts';
import { inviteGuest, type InviteResult } from './inviteGuest.ts';
import { issueInvitationAndLink, issueInvitationLink } from './issueInvitation.ts';
import { resetRedemption } from './admin/guests/resetRedemption.ts';
import { recordRefusal } from './recordRefusal.ts';

export interface ApiInvitation {
  email: string;
  redirectUrl: string;
  displayName: string | null;
  sendMail: boolean;
  message: string | null;
  cc: string[];
  resetRedemption: boolean;
  invitedUserId: number | null;
  /** Graph's messageLanguage: the invitation mail's language. */
  messageLanguage?: string | null;
}

export interface ApiInvitationResult {
  invitationId: number;
  userId: number;
  email: string;
  displayName: string;
  status: 'PendingAcceptance' | 'Completed';
  /** Present for a pending invitation: the raw link token, returned once. */
  linkToken: string | null;
}

/**
 * Where a guest may be sent after redeeming: this portal, or an application of the catalog. An
 * invitation API that redirects anywhere would make every invitation mail an open redirect.
 */
export async function redirectAllowed(deps: Deps, url: string): Promise<boolean> {
  let origin: string;
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
    if (u.username || u.password) return false;
    origin = u.origin;
  } catch {
    return false;
  }
  if (origin === new URL(deps.config.publicUrl).origin) return true;
  const apps = (await listAllItems(deps.db)).filter((i) => i.kind === 'app' && i.launch_url);
  return apps.some((a) => new URL(a.launch_url!).origin === origin);
}

export async function inviteThroughApi(deps: Deps, ctx: AuditContext, client: ApiClient, input: ApiInvitation): Promise<ApiInvitationResult> {
  const { db, config } = deps;
  const email = input.email.toLowerCase();
  if (!(await redirectAllowed(deps, input.redirectUrl))) {
    throw invalid('api.redirectNotAllowed', { inviteRedirectUrl: 'api.redirectOrigins' });
  }
  const org = await findOrgForDomain(db, emailDomain(email));
  if (isDenied(org)) {
    await recordRefusal(db, ctx, 'invitation.create', `email:${email}`, `domain policy of ${org.name}`);
    throw forbidden('api.domainDenied');
  }
  if (await findUserByEmail(db, 'member', email)) {
    throw invalid('api.memberNotGuest', { invitedUserEmailAddress: 'api.memberNotGuest' });
  }

  let result: InviteResult;
  const options = {
    message: input.message,
    cc: input.cc,
    redirectUrl: input.redirectUrl,
    invitedByClient: client.id,
    messageLanguage: input.messageLanguage ?? null,
  };
  // Graph returns an inviteRedeemUrl either way; sendInvitationMessage says whether it is mailed too.
  const issue = input.sendMail ? issueInvitationAndLink : issueInvitationLink;
  if (input.resetRedemption) {
    // The route refuses (and audits) this first; kept here so no other caller can skip it.
    if (!grants(client.scopes, 'User.ReadWrite.All')) throw forbidden('api.resetNeedsScope');
    if (!input.invitedUserId) throw invalid('api.resetNeedsUser', { invitedUser: 'api.resetNeedsUser' });
    const guest = await findGuest(db, input.invitedUserId);
    if (!guest) throw notFound();
    const other = await findUserByEmail(db, 'guest', email);
    if (other && other.id !== guest.id) throw conflict('api.emailTaken');
    result = await resetRedemption(deps, ctx, guest.id, null, client.name, { ...options, email }, issue);
  } else {
    if (input.invitedUserId) throw invalid('api.userOnlyWithReset', { invitedUser: 'api.userOnlyWithReset' });
    result = await inTransaction(db, (trx) =>
      inviteGuest(trx, config, ctx, {
        email,
        displayName: input.displayName?.trim() || email.split('@')[0],
        items: [],
        invitedBy: null,
        sponsorName: client.name,
        source: 'invitation',
        ...options,
      }, issue),
    );
  }

  if (result.outcome === 'already_guest') {
    const last = await latestInvitation(db, result.user.id);
    if (!last) throw new AppError(500, 'internal', 'errors.internal');
    return { invitationId: Number(last.id), userId: result.user.id, email: result.user.email, displayName: result.user.display_name, status: 'Completed', linkToken: null };
  }
  return {
    invitationId: result.invitationId!,
    userId: result.user.id,
    email: result.user.email,
    displayName: result.user.display_name,
    status: 'PendingAcceptance',
    linkToken: result.linkToken ?? null,
  };
}
