// Sends one stored message. A message already sent is never sent again; an invitation is sent only
// while it is still pending, with a token minted at this moment (the old one stops working).
import type { Transporter } from 'nodemailer';
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { appendAudit } from '../src/db/audit.ts';
import { inTransaction, writeOutsideAudit, type Db, type Tx } from '../src/db/knex.ts';
import { cancelMail, claimMail, findMail, markMailSent, recordMailFailure } from '../src/db/mail.ts';
import { mintInvitationToken } from '../src/db/invitations.ts';
import { mintOneTimeCode } from '../src/db/oneTimeCodes.ts';
import type { MailKind, MailMessage } from '../src/db/rows.ts';
import { CODE_LINK_PLACEHOLDER, CODE_PLACEHOLDER, REDEEM_LINK_PLACEHOLDER, fillPlaceholders, htmlValues } from '../src/mail/placeholders.ts';

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
  const values = await writeOutsideAudit(db, async (q) => {
    if (!(await claimMail(q, mail.id, new Date(Date.now() + claimFor)))) throw new Error(`mail ${mail.id} is being sent by another worker`);
    return mintSecret(q, mail, config.publicUrl);
  });
  if (!values) return cancel(deps, ctx, mail.id, UNUSABLE[mail.kind]);
  const text = fillPlaceholders(mail.text_body, values);
  const html = fillPlaceholders(mail.html_body, htmlValues(values));

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
    await markMailSent(trx, mail);
    await appendAudit(trx, ctx, { action: 'mail.sent', target: `mail:${mail.id}`, details: { to: mail.to_address, subject: mail.subject } });
  });
  return 'sent';
}

const UNUSABLE: Record<MailKind, string> = {
  invitation: 'the invitation is no longer pending',
  code: 'the one-time code is no longer usable',
  notice: '',
};

/**
 * What fills the message's placeholders, minted now: an invitation's redeem link, a sign-in code and
 * its link, or nothing for a notice. Null when the invitation or code is no longer usable.
 */
async function mintSecret(q: Db | Tx, mail: MailMessage, publicUrl: string): Promise<Record<string, string> | null> {
  if (mail.kind === 'invitation') {
    const token = await mintInvitationToken(q, Number(mail.reference));
    return token === null ? null : { [REDEEM_LINK_PLACEHOLDER]: `${publicUrl}/redeem/${token}` };
  }
  if (mail.kind === 'code') {
    const code = await mintOneTimeCode(q, Number(mail.reference));
    if (code === null) return null;
    return { [CODE_PLACEHOLDER]: code, [CODE_LINK_PLACEHOLDER]: `${publicUrl}/auth/email-code/verify?${new URLSearchParams({ email: mail.to_address, code })}` };
  }
  return {};
}

/**
 * A message whose invitation was revoked or redeemed (or whose code expired) before it left is
 * never sent: it is marked cancelled, so neither a retry nor the sweeper picks it up again.
 */
async function cancel(deps: Deps, ctx: AuditContext, mailId: number, reason: string): Promise<'skipped'> {
  await inTransaction(deps.db, async (trx) => {
    if (await cancelMail(trx, mailId)) await appendAudit(trx, ctx, { action: 'mail.cancelled', target: `mail:${mailId}`, details: { reason } });
  });
  return 'skipped';
}
