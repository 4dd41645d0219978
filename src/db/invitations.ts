// An invitation's whole life: issued, its mailed token minted when the mail leaves, checked, consumed
// once, revoked. Usable means pending and unexpired, and every verb below asks exactly that in the
// statement itself (node-oidc-provider's isValid/consume): one conditional update, one answer.
import type { Knex } from 'knex';
import { newToken } from '../domain/tokens.ts';
import type { Db, Tx } from './knex.ts';
import type { Invitation } from './rows.ts';
import { nowIso } from '../domain/clock.ts';

const usable = <Q extends Knex.QueryBuilder>(q: Q, now: string): Q => q.where({ status: 'pending' }).where('expires_at', '>', now) as Q;

/**
 * A new pending invitation. Its mailed token is a placeholder hash nobody holds the token for: the
 * real one is minted when the mail goes out (mintInvitationToken).
 */
export async function insertInvitation(
  trx: Tx,
  i: Pick<Invitation, 'email' | 'user_id' | 'request_id' | 'invited_by' | 'redirect_url' | 'message' | 'expires_at'> &
    Partial<Pick<Invitation, 'cc' | 'batch_id' | 'invited_by_client'>> & { message_language?: string | null },
): Promise<number> {
  const [row] = await trx('invitations')
    .insert({ ...i, email: i.email.toLowerCase(), token_hash: newToken().hash, status: 'pending', created_at: nowIso() })
    .returning('id');
  return Number((row as { id: number }).id);
}

/**
 * Called by the mail job as the invitation's mail leaves: a fresh token, whose hash replaces the last
 * one (the link of an earlier mail stops working). Null when the invitation is no longer usable.
 */
export async function mintInvitationToken(q: Db | Tx, id: number): Promise<string | null> {
  const { token, hash } = newToken();
  const n = await usable(q('invitations').where({ id }), nowIso()).update({ token_hash: hash });
  return Number(n) === 1 ? token : null;
}

/**
 * A second token for the caller to hand over itself (Graph's inviteRedeemUrl), kept as its hash only:
 * the mailed token is rotated each time a mail leaves, and this one must keep working meanwhile.
 */
export async function mintLinkToken(trx: Tx, id: number): Promise<string> {
  const { token, hash } = newToken();
  await trx('invitations').where({ id }).update({ link_token_hash: hash });
  return token;
}

/** A guest's newest invitation, whatever its state (what the admin page shows and a resend mails again). */
export async function latestInvitation(db: Db | Tx, userId: number): Promise<Invitation | undefined> {
  return db<Invitation>('invitations').where({ user_id: userId }).orderBy('id', 'desc').first();
}

/** The invitation a token opens (the mailed one, or the link token an API caller was given), while it is usable. */
export async function findUsableInvitation(db: Db | Tx, tokenHash: string): Promise<Invitation | undefined> {
  return usable(
    db<Invitation>('invitations').where((w) => w.where({ token_hash: tokenHash }).orWhere({ link_token_hash: tokenHash })),
    nowIso(),
  ).first();
}

/** Consumes a token exactly once: only one caller's update matches a pending, unexpired row. */
export async function consumeInvitation(trx: Tx, id: number, identity: { issuer: string; subject: string }): Promise<boolean> {
  const stamp = nowIso();
  const count = await usable(trx('invitations').where({ id }), stamp).update({
    status: 'redeemed',
    redeemed_at: stamp,
    redeemed_issuer: identity.issuer,
    redeemed_subject: identity.subject,
  });
  return Number(count) === 1;
}

/**
 * Revokes a guest's pending invitations (their links stop working) and, with 'pending and redeemed',
 * the redeemed ones too: a redemption reset leaves nothing that stands for the old binding. Returns how many.
 */
export async function revokeInvitations(trx: Tx, userId: number, which: 'pending' | 'pending and redeemed'): Promise<number> {
  const statuses = which === 'pending' ? ['pending'] : ['pending', 'redeemed'];
  return Number(await trx('invitations').where({ user_id: userId }).whereIn('status', statuses).update({ status: 'revoked' }));
}
