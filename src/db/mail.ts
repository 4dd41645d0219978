import { writeOutsideAudit, type Db, type Tx } from './knex.ts';
import type { MailMessage } from './rows.ts';

/** Stores a message once per cause; returns its id whether it is new or already there. */
export async function queueMail(
  trx: Tx,
  m: { dedupeKey: string; to: string; subject: string; text: string; html: string; cc?: string[] },
): Promise<{ id: number; created: boolean }> {
  const existing = await trx('mail_messages').where({ dedupe_key: m.dedupeKey }).first('id');
  if (existing) return { id: Number(existing.id), created: false };
  const [row] = await trx('mail_messages')
    .insert({
      dedupe_key: m.dedupeKey,
      to_address: m.to.toLowerCase(),
      subject: m.subject,
      text_body: m.text,
      html_body: m.html,
      cc: m.cc?.length ? m.cc.join(' ') : null,
      status: 'queued',
      created_at: new Date().toISOString(),
    })
    .returning('id');
  return { id: (row as { id: number }).id, created: true };
}

export async function findMail(db: Db | Tx, id: number): Promise<MailMessage | undefined> {
  return db<MailMessage>('mail_messages').where({ id }).first();
}

/** A failed attempt: counted, its error kept, and the claim released so a retry may send it. */
export async function recordMailFailure(db: Db, id: number, error: string): Promise<void> {
  await writeOutsideAudit(db, (q) => q('mail_messages').where({ id }).update({ attempts: db.raw('attempts + 1'), last_error: error.slice(0, 1000), claimed_until: null }));
}
