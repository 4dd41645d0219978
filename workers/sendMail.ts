// Sends one stored message. A message already sent is never sent again; an invitation is sent only
// while it is still pending, with a token minted at this moment (the old one stops working).
import type { Transporter } from 'nodemailer';
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { appendAudit } from '../src/db/audit.ts';
import { inTransaction, writeOutsideAudit } from '../src/db/knex.ts';
import { findMail, recordMailFailure } from '../src/db/mail.ts';
import { newToken } from '../src/domain/tokens.ts';
import { REDEEM_LINK_PLACEHOLDER } from '../src/mail/templates.ts';
import { CODE_LINK_PLACEHOLDER, CODE_PLACEHOLDER, mintCode } from '../src/commands/oneTimeCode.ts';

export async function sendMail(
  deps: Deps & { transport: Transporter },
  ctx: AuditContext,
  data: { mailId: number },
): Promise<'sent' | 'skipped'> {
  const { db, config, transport } = deps;
  const mail = await findMail(db, data.mailId);
  if (!mail || mail.status === 'sent' || mail.status === 'cancelled') return 'skipped';
  // Claim it (a second delivery of this job, or a sweeper's, waits its turn instead of sending too)
  // and mint what it carries, in one short write: on SQLite it waits for the lock between event-loop
  // turns rather than in SQLite's busy handler, which would freeze every job of this worker.
  const claimFor = Math.max(config.smtpTimeoutMs * 3, 5000);
  // "invitation:12" and its resends "invitation:12:resend:…" carry a redeem link.
  const invitation = /^invitation:(\d+)(?::|$)/.exec(mail.dedupe_key);
  const code = /^code:(\d+)$/.exec(mail.dedupe_key);
  const claim = await writeOutsideAudit(db, async (q): Promise<{ token?: string; code?: string; unusable?: string }> => {
    const now = new Date();
    const claimed = await q('mail_messages')
      .where({ id: mail.id })
      .whereIn('status', ['queued', 'failed'])
      .where((w) => w.whereNull('claimed_until').orWhere('claimed_until', '<', now.toISOString()))
      .update({ claimed_until: new Date(now.getTime() + claimFor).toISOString() });
    if (Number(claimed) !== 1) throw new Error(`mail ${mail.id} is being sent by another worker`);
    if (invitation) {
      const { token, hash } = newToken();
      const rotated = await q('invitations')
        .where({ id: Number(invitation[1]), status: 'pending' })
        .where('expires_at', '>', now.toISOString())
        .update({ token_hash: hash });
      return Number(rotated) === 1 ? { token } : { unusable: 'the invitation is no longer pending' };
    }
    if (code) {
      const value = await mintCode(q, Number(code[1]));
      return value ? { code: value } : { unusable: 'the one-time code is no longer usable' };
    }
    return {};
  });
  if (claim.unusable) return cancel(deps, ctx, mail.id, claim.unusable);

  let text = mail.text_body;
  let html = mail.html_body;
  if (claim.token) {
    const link = `${config.publicUrl}/redeem/${claim.token}`;
    text = text.split(REDEEM_LINK_PLACEHOLDER).join(link);
    html = html.split(REDEEM_LINK_PLACEHOLDER).join(link);
  }
  if (claim.code) {
    const link = `${config.publicUrl}/auth/email-code/verify?${new URLSearchParams({ email: mail.to_address, code: claim.code })}`;
    text = text.split(CODE_PLACEHOLDER).join(claim.code).split(CODE_LINK_PLACEHOLDER).join(link);
    html = '';
  }

  try {
    await transport.sendMail({
      from: config.mailFrom,
      to: mail.to_address,
      cc: mail.cc ? mail.cc.split(' ') : undefined,
      subject: mail.subject,
      text,
      html: html || undefined,
      messageId: `<mail-${mail.id}.${mail.dedupe_key.replace(/[^a-z0-9]/gi, '.')}@passerelle>`,
    });
  } catch (err) {
    await recordMailFailure(db, mail.id, (err as Error).message);
    throw err;
  }
  await inTransaction(db, async (trx) => {
    await trx('mail_messages')
      .where({ id: mail.id })
      .update({ status: 'sent', sent_at: new Date().toISOString(), attempts: mail.attempts + 1, last_error: null, claimed_until: null });
    await appendAudit(trx, ctx, { action: 'mail.sent', target: `mail:${mail.id}`, details: { to: mail.to_address, subject: mail.subject } });
  });
  return 'sent';
}

/**
 * A message whose invitation was revoked or redeemed (or whose code expired) before it left is
 * never sent: it is marked cancelled, so neither a retry nor the sweeper picks it up again.
 */
async function cancel(deps: Deps, ctx: AuditContext, mailId: number, reason: string): Promise<'skipped'> {
  await inTransaction(deps.db, async (trx) => {
    const n = await trx('mail_messages').where({ id: mailId }).whereIn('status', ['queued', 'failed']).update({ status: 'cancelled', claimed_until: null });
    if (Number(n)) await appendAudit(trx, ctx, { action: 'mail.cancelled', target: `mail:${mailId}`, details: { reason } });
  });
  return 'skipped';
}
