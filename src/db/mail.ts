// A stored message's life: queued once per cause (with the outbox row that gets it sent), claimed by
// one sender at a time, then sent, failed for good, or cancelled.
import { writeOutsideAudit, type Db, type Tx } from './knex.ts';
import { addOutbox } from './outbox.ts';
import type { MailKind, MailMessage } from './rows.ts';

export interface NewMail {
  /** What the message is about: the same cause never mails twice. */
  dedupeKey: string;
  /** What the mail worker mints into the message when it leaves, and for which row (`reference`). */
  kind: MailKind;
  reference: number | null;
  to: string;
  subject: string;
  text: string;
  html: string;
  cc?: string[];
}

/**
 * Stores a message once per cause and, when it is new, the outbox row that gets it sent, in the
 * caller's transaction; a cause already mailed changes nothing. Returns the message's id either way.
 */
export async function queueMail(trx: Tx, m: NewMail): Promise<{ id: number; created: boolean }> {
  const existing = await trx('mail_messages').where({ dedupe_key: m.dedupeKey }).first('id');
  if (existing) return { id: Number(existing.id), created: false };
  const [row] = await trx('mail_messages')
    .insert({
      dedupe_key: m.dedupeKey,
      kind: m.kind,
      reference: m.reference,
      to_address: m.to.toLowerCase(),
      subject: m.subject,
      text_body: m.text,
      html_body: m.html,
      cc: m.cc?.length ? m.cc.join(' ') : null,
      status: 'queued',
      created_at: new Date().toISOString(),
    })
    .returning('id');
  const id = Number((row as { id: number }).id);
  await addOutbox(trx, 'mail.send', { mailId: id });
  return { id, created: true };
}

export async function findMail(db: Db | Tx, id: number): Promise<MailMessage | undefined> {
  return db<MailMessage>('mail_messages').where({ id }).first();
}

/**
 * Takes a message for one sender until `until`: only a message still to send whose previous claim
 * (a crashed sender's) has run out matches, so a second delivery of the job waits its turn.
 */
export async function claimMail(q: Db | Tx, id: number, until: Date): Promise<boolean> {
  const claimed = await q('mail_messages')
    .where({ id })
    .whereIn('status', ['queued', 'failed'])
    .where((w) => w.whereNull('claimed_until').orWhere('claimed_until', '<', new Date().toISOString()))
    .update({ claimed_until: until.toISOString() });
  return Number(claimed) === 1;
}

export async function markMailSent(trx: Tx, mail: Pick<MailMessage, 'id' | 'attempts'>): Promise<void> {
  await trx('mail_messages')
    .where({ id: mail.id })
    .update({ status: 'sent', sent_at: new Date().toISOString(), attempts: mail.attempts + 1, last_error: null, claimed_until: null });
}

/** A failed attempt: counted, its error kept, and the claim released so a retry may send it. */
export async function recordMailFailure(db: Db, id: number, error: string): Promise<void> {
  await writeOutsideAudit(db, (q) => q('mail_messages').where({ id }).update({ attempts: db.raw('attempts + 1'), last_error: error.slice(0, 1000), claimed_until: null }));
}

/**
 * Gives a queued message up once its retries are spent; returns what the audit event says of it, or
 * nothing when it was not queued (sent meanwhile, or already given up).
 */
export async function failMail(
  trx: Tx,
  id: number,
): Promise<Pick<MailMessage, 'to_address' | 'subject' | 'attempts'> & { last_error: string | null } | undefined> {
  const n = await trx('mail_messages').where({ id, status: 'queued' }).update({ status: 'failed', claimed_until: null });
  if (!Number(n)) return undefined;
  return trx('mail_messages').where({ id }).first('to_address', 'subject', 'last_error', 'attempts');
}

/** A message that must never leave (its invitation or code is no longer usable); false if it was sent or cancelled already. */
export async function cancelMail(trx: Tx, id: number): Promise<boolean> {
  const n = await trx('mail_messages').where({ id }).whereIn('status', ['queued', 'failed']).update({ status: 'cancelled', claimed_until: null });
  return Number(n) === 1;
}

/** What the queue page shows of the messages its failed jobs were sending. */
export async function mailSummaries(db: Db | Tx, ids: number[]): Promise<Pick<MailMessage, 'id' | 'to_address' | 'subject' | 'status'>[]> {
  if (ids.length === 0) return [];
  return db<MailMessage>('mail_messages').whereIn('id', ids).select('id', 'to_address', 'subject', 'status');
}
