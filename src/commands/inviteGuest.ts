// Gives one person access to catalog items: the guest user (created or reused), the memberships,
// and either an invitation (someone not yet bound to an identity) or an "access ready" mail.
// Runs inside the caller's transaction; provisioning, direct invitations and owners all use it.
import type { Config } from '../config.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import type { Tx } from '../db/knex.ts';
import type { CatalogItem, User } from '../db/rows.ts';
import { findUserByEmail, findUserById, insertUser } from '../db/users.ts';
import { grantMembership } from '../db/memberships.ts';
import { insertInvitation } from '../db/invitations.ts';
import { queueMail } from '../db/mail.ts';
import { addOutbox } from '../db/outbox.ts';
import { newToken } from '../domain/tokens.ts';
import { addedMail, grantedMail, invitationMail } from '../mail/templates.ts';

const DAY = 24 * 3600 * 1000;

export interface InviteInput {
  email: string;
  displayName: string;
  items: CatalogItem[];
  invitedBy: number | null;
  sponsorName: string;
  source: 'request' | 'invitation';
  requestId?: number | null;
  batchId?: number | null;
  message?: string | null;
  cc?: string[];
  redirectUrl?: string | null;
  /** The API client that asked (Graph's invitation API); invitedBy is then null. */
  invitedByClient?: number | null;
  /** false: no mail at all; the caller hands the redeem link over itself (Graph's sendInvitationMessage). */
  sendMail?: boolean;
  /** Also mint a link token for the caller to hand over (Graph's inviteRedeemUrl); only its hash is kept. */
  linkToken?: boolean;
  /** A guest already known by this identity (a later request of someone who redeemed before). */
  knownUser?: User;
}

export interface InviteResult {
  user: User;
  outcome: 'invited' | 'already_guest';
  invitationId: number | null;
  /** The raw link token, when asked for: shown once to the caller, never stored. */
  linkToken?: string;
}

export async function inviteGuest(trx: Tx, config: Config, ctx: AuditContext, input: InviteInput): Promise<InviteResult> {
  let user = input.knownUser ?? (await findUserByEmail(trx, 'guest', input.email));
  if (!user) {
    const id = await insertUser(trx, { display_name: input.displayName, email: input.email, user_type: 'guest', state: 'invited' });
    user = (await findUserById(trx, id))!;
    await appendAudit(trx, ctx, { action: 'guest.created', target: `user:${id}`, details: { email: user.email, request: input.requestId ?? null } });
  } else if (user.state === 'removed') {
    // A removed guest invited again starts over: a new invitation, a new identity binding.
    await trx('users').where({ id: user.id }).update({ state: 'invited' });
    await trx('user_identities').where({ user_id: user.id }).delete();
    await appendAudit(trx, ctx, { action: 'guest.reinstated', target: `user:${user.id}`, details: { changes: { state: ['removed', 'invited'] } } });
    user = { ...user, state: 'invited' };
  }
  if (input.invitedBy) {
    const sponsor = await trx('guest_sponsors').where({ guest_id: user.id, sponsor_id: input.invitedBy }).first();
    if (!sponsor) await trx('guest_sponsors').insert({ guest_id: user.id, sponsor_id: input.invitedBy });
  }

  const stamp = Date.now();
  for (const item of input.items) {
    const expiresAt = item.max_days ? new Date(stamp + item.max_days * DAY).toISOString() : null;
    const granted = await grantMembership(trx, {
      userId: user.id,
      itemId: item.id,
      source: input.source,
      sourceId: input.requestId ?? input.batchId ?? null,
      grantedBy: input.invitedBy,
      expiresAt,
    });
    if (granted) {
      await appendAudit(trx, ctx, { action: 'membership.granted', target: `user:${user.id}`, details: { item: item.name, expiresAt } });
    }
  }

  if (user.state === 'active') {
    // Nothing new to tell someone who already has access and was given nothing more.
    if (input.sendMail === false || input.items.length === 0) return { user, outcome: 'already_guest', invitationId: null };
    const draft = input.requestId
      ? grantedMail(config, `request:${input.requestId}`, user.email, input.items, input.sponsorName)
      : addedMail(config, `batch:${input.batchId ?? 'direct'}:${user.id}:${stamp}`, user.email, input.items, input.sponsorName);
    const mail = await queueMail(trx, { ...draft, cc: input.cc });
    await addOutbox(trx, 'mail.send', { mailId: mail.id });
    return { user, outcome: 'already_guest', invitationId: null };
  }

  // A placeholder hash nobody holds the token for; the real token is minted when the mail goes out.
  const expiresAt = new Date(stamp + config.invitationTtlHours * 3600 * 1000).toISOString();
  const link = input.linkToken ? newToken() : null;
  const invitationId = await insertInvitation(trx, {
    email: user.email,
    user_id: user.id,
    request_id: input.requestId ?? null,
    invited_by: input.invitedBy,
    redirect_url: input.redirectUrl ?? null,
    message: input.message ?? null,
    token_hash: newToken().hash,
    expires_at: expiresAt,
    cc: input.cc?.length ? input.cc.join(' ') : null,
    batch_id: input.batchId ?? null,
    invited_by_client: input.invitedByClient ?? null,
    link_token_hash: link?.hash ?? null,
  });
  await appendAudit(trx, ctx, {
    action: 'invitation.created',
    target: `invitation:${invitationId}`,
    details: { email: user.email, user: user.id, request: input.requestId ?? null, batch: input.batchId ?? null, expiresAt, cc: input.cc ?? [], mailed: input.sendMail !== false },
  });
  if (input.sendMail === false) return { user, outcome: 'invited', invitationId, linkToken: link?.token };
  const mail = await queueMail(
    trx,
    invitationMail(config, { id: invitationId, email: user.email, expiresAt }, input.items, input.sponsorName, { message: input.message, cc: input.cc }),
  );
  await addOutbox(trx, 'mail.send', { mailId: mail.id });
  return { user, outcome: 'invited', invitationId, linkToken: link?.token };
}
