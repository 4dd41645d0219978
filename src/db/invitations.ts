import type { Db, Tx } from './knex.ts';
import type { Invitation } from './rows.ts';

export async function insertInvitation(
  trx: Tx,
  i: Pick<Invitation, 'email' | 'user_id' | 'request_id' | 'invited_by' | 'redirect_url' | 'message' | 'token_hash' | 'expires_at'> &
    Partial<Pick<Invitation, 'cc' | 'batch_id' | 'invited_by_client' | 'link_token_hash'>>,
): Promise<number> {
  const [row] = await trx('invitations')
    .insert({ ...i, email: i.email.toLowerCase(), status: 'pending', created_at: new Date().toISOString() })
    .returning('id');
  return (row as { id: number }).id;
}

export async function findInvitationByRequest(db: Db | Tx, requestId: number): Promise<Invitation | undefined> {
  return db<Invitation>('invitations').where({ request_id: requestId }).first();
}

/** By the mailed token, or by the link token an API caller was given (either redeems the invitation). */
export async function findInvitationByHash(db: Db | Tx, tokenHash: string): Promise<Invitation | undefined> {
  return db<Invitation>('invitations').where({ token_hash: tokenHash }).orWhere({ link_token_hash: tokenHash }).first();
}

export async function findInvitation(db: Db | Tx, id: number): Promise<Invitation | undefined> {
  return db<Invitation>('invitations').where({ id }).first();
}


/** Consumes a token exactly once: only one caller's update matches a pending, unexpired row. */
export async function consumeInvitation(trx: Tx, id: number, identity: { issuer: string; subject: string }): Promise<boolean> {
  const stamp = new Date().toISOString();
  const count = await trx('invitations')
    .where({ id, status: 'pending' })
    .where('expires_at', '>', stamp)
    .update({ status: 'redeemed', redeemed_at: stamp, redeemed_issuer: identity.issuer, redeemed_subject: identity.subject });
  return Number(count) === 1;
}
