// An invitation for a guest not yet bound to an identity, in one of three deliveries: mailed (the
// redeem token minted when the mail leaves), mailed with a link token returned to the caller, or
// only the link token (Graph's sendInvitationMessage: false, the caller hands it over). Runs inside
// the caller's transaction; the caller picks the delivery by picking the function.
import type { Config } from '../config.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import type { Tx } from '../db/knex.ts';
import type { CatalogItem, User } from '../db/rows.ts';
import { insertInvitation, mintLinkToken } from '../db/invitations.ts';
import { queueSystemMail } from '../mail/send.ts';
import { languageOfTag } from '../db/mailTemplates.ts';
import { invitationMail, type DecisionDetails, type Giver } from '../mail/templates.ts';
import { now } from '../domain/clock.ts';

export interface InvitationTerms {
  /** What the mail lists: the guest's memberships. */
  items: CatalogItem[];
  invitedBy: number | null;
  /** The API client that asked (Graph's invitation API); invitedBy is then null. */
  invitedByClient?: number | null;
  /** Who the mail says invited them: a person's name or an API client's. */
  /** A person's name, or words in the reader's language (see mail/templates' Giver). */
  sponsorName: Giver;
  requestId?: number | null;
  batchId?: number | null;
  message?: string | null;
  /** A sponsor's decision on the request (approved, denied and why, until when), for the mail to tell. */
  decision?: DecisionDetails | null;
  cc?: string[];
  redirectUrl?: string | null;
  /** Graph's messageLanguage ("fr-FR"): the invitation mail's language, when it is one of ours. */
  messageLanguage?: string | null;
}

export interface IssuedInvitation {
  invitationId: number;
  /** The raw link token, for the caller to hand over: shown once, only its hash is kept. */
  linkToken?: string;
}

export type IssueInvitation = (trx: Tx, config: Config, ctx: AuditContext, guest: User, terms: InvitationTerms) => Promise<IssuedInvitation>;

/** Mailed to the guest. */
export const issueInvitation: IssueInvitation = async (trx, config, ctx, guest, terms) => {
  const { id, expiresAt } = await recordInvitation(trx, config, ctx, guest, terms, true);
  await queueSystemMail(trx, invitationMail(config, { id, email: guest.email, expiresAt, userId: guest.id }, terms.items, terms.sponsorName, { message: terms.message, cc: terms.cc, decision: terms.decision }));
  return { invitationId: id };
};

/** Mailed to the guest, and a link token for the caller too (Graph's inviteRedeemUrl). */
export const issueInvitationAndLink: IssueInvitation = async (trx, config, ctx, guest, terms) => {
  const { invitationId } = await issueInvitation(trx, config, ctx, guest, terms);
  return { invitationId, linkToken: await mintLinkToken(trx, invitationId) };
};

/** Not mailed: only the link token returned to the caller opens it. */
export const issueInvitationLink: IssueInvitation = async (trx, config, ctx, guest, terms) => {
  const { id } = await recordInvitation(trx, config, ctx, guest, terms, false);
  return { invitationId: id, linkToken: await mintLinkToken(trx, id) };
};

async function recordInvitation(
  trx: Tx,
  config: Config,
  ctx: AuditContext,
  guest: User,
  terms: InvitationTerms,
  mailed: boolean,
): Promise<{ id: number; expiresAt: string }> {
  const expiresAt = new Date(now() + config.invitationTtlHours * 3600 * 1000).toISOString();
  const id = await insertInvitation(trx, {
    email: guest.email,
    user_id: guest.id,
    request_id: terms.requestId ?? null,
    invited_by: terms.invitedBy,
    redirect_url: terms.redirectUrl ?? null,
    message: terms.message ?? null,
    expires_at: expiresAt,
    cc: terms.cc?.length ? terms.cc.join(' ') : null,
    batch_id: terms.batchId ?? null,
    invited_by_client: terms.invitedByClient ?? null,
    message_language: languageOfTag(terms.messageLanguage),
  });
  await appendAudit(trx, ctx, {
    action: 'invitation.created',
    target: `invitation:${id}`,
    details: { email: guest.email, user: guest.id, request: terms.requestId ?? null, batch: terms.batchId ?? null, expiresAt, cc: terms.cc ?? [], mailed },
  });
  return { id, expiresAt };
}
