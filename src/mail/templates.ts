// Mail bodies: plain text first, the same words as escaped HTML. Links always use PUBLIC_URL,
// never a Host header.
import type { Config } from '../config.ts';
import type { AccessRequest, CatalogItem } from '../db/rows.ts';
import type { NewMail } from '../db/mail.ts';
import { t } from '../i18n/t.ts';
import { escapeHtml } from '../html.ts';
import { CODE_LINK_PLACEHOLDER, CODE_PLACEHOLDER, REDEEM_LINK_PLACEHOLDER } from './placeholders.ts';

/** A message as the templates write it and db/mail's queueMail stores it. */
export type MailDraft = NewMail;

// Header values must be one line: a newline in a claim or a name must never start a new header.
const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ').slice(0, 250);

/**
 * Only our own links (and the redeem-link placeholder) become clickable: an address someone typed
 * into a message or a name stays plain text, so nobody can slip a link to elsewhere into our mail.
 */
function draft(config: Config, dedupeKey: string, to: string, subject: string, text: string): MailDraft {
  const body = `${text}\n\n-- \n${t('mail.footer')}`;
  const ours = escapeHtml(config.publicUrl).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const link = new RegExp(`(${ours}(?:/(?:[^\\s<&]|&#38;)*)?|\\{\\{[a-z-]+-link\\}\\})`, 'g');
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${escapeHtml(body)
    .split('\n')
    .join('<br>')
    .replace(link, '<a href="$1">$1</a>')}</body></html>`;
  return { dedupeKey, kind: 'notice', reference: null, to, subject: oneLine(subject), text: body, html };
}

const itemList = (items: CatalogItem[]) => items.map((i) => i.name).join(', ');

/** What a sponsor's mail says of the request routed to them. */
export type RoutedRequest = Pick<AccessRequest, 'id' | 'requester_name' | 'requester_email' | 'justification'> & { organization_name: string | null };

export function routeMail(
  config: Config,
  r: RoutedRequest,
  items: CatalogItem[],
  approver: { id: number; email: string },
): MailDraft {
  return draft(
    config,
    `request:${r.id}:route:${approver.id}`,
    approver.email,
    t('mail.route.subject', { id: r.id, name: oneLine(r.requester_name) }),
    t('mail.route.body', {
      name: oneLine(r.requester_name),
      email: r.requester_email,
      organization: r.organization_name ?? t('inbox.unknownOrg'),
      items: itemList(items),
      justification: r.justification,
      link: `${config.publicUrl}/inbox/${r.id}`,
    }),
  );
}

export function deniedMail(config: Config, r: AccessRequest & { id: number }, reason: string, items?: CatalogItem[]): MailDraft {
  return draft(
    config,
    `request:${r.id}:denied`,
    r.requester_email,
    t('mail.denied.subject', { id: r.id }),
    t('mail.denied.body', {
      items: items ? itemList(items) : `#${r.id}`,
      reason,
      link: `${config.publicUrl}/requests/${r.id}`,
    }),
  );
}

export function invitationMail(
  config: Config,
  invitation: { id: number; email: string; expiresAt: string },
  items: CatalogItem[],
  sponsor: string,
  extra: { message?: string | null; cc?: string[]; dedupeKey?: string } = {},
): MailDraft {
  const body = t(items.length ? 'mail.invite.body' : 'mail.invite.bodyNoItems', {
    sponsor,
    items: itemList(items),
    link: REDEEM_LINK_PLACEHOLDER,
    expires: invitation.expiresAt.slice(0, 16).replace('T', ' '),
  });
  const personal = extra.message ? `${t('mail.invite.personal', { sponsor })}\n${extra.message}\n\n` : '';
  return {
    ...draft(config, extra.dedupeKey ?? `invitation:${invitation.id}`, invitation.email, items.length ? t('mail.invite.subject', { items: itemList(items) }) : t('mail.invite.subjectNoItems', { sponsor }), personal + body),
    kind: 'invitation',
    reference: invitation.id,
    cc: extra.cc,
  };
}

/** A sign-in code: text only, so the code and its link (minted when it leaves) appear nowhere else. */
export function codeMail(code: { id: number; email: string }, minutes: number): MailDraft {
  const body = t('mail.code.body', { code: CODE_PLACEHOLDER, link: CODE_LINK_PLACEHOLDER, minutes });
  return { dedupeKey: `code:${code.id}`, kind: 'code', reference: code.id, to: code.email, subject: t('mail.code.subject'), text: `${body}\n\n-- \n${t('mail.footer')}`, html: '' };
}

export function grantedMail(config: Config, cause: string, to: string, items: CatalogItem[], sponsor: string): MailDraft {
  return draft(
    config,
    `${cause}:granted`,
    to,
    t('mail.granted.subject', { items: itemList(items) }),
    t('mail.granted.body', { sponsor, items: itemList(items), link: `${config.publicUrl}/access` }),
  );
}

/** To someone who is already a guest and was given more access directly (no request of theirs). */
export function addedMail(config: Config, cause: string, to: string, items: CatalogItem[], sponsor: string): MailDraft {
  return draft(
    config,
    `${cause}:added`,
    to,
    t('mail.added.subject', { items: itemList(items) }),
    t('mail.added.body', { sponsor, items: itemList(items), link: `${config.publicUrl}/access` }),
  );
}

/**
 * To the address a guest had when their redemption was reset: whoever holds it learns that the
 * account they signed in with no longer opens this access. Where a moved invitation went is not
 * said: the old mailbox may belong to someone else by now.
 */
export function resetGuestMail(config: Config, cause: string, to: string, by: string, moved: boolean): MailDraft {
  return draft(config, `${cause}:guest`, to, t('mail.resetGuest.subject'), t(moved ? 'mail.resetGuest.bodyMoved' : 'mail.resetGuest.body', { by: oneLine(by) }));
}

/** To a sponsor of a guest whose redemption was reset: the next person to redeem becomes this guest. */
export function resetSponsorMail(
  config: Config,
  cause: string,
  sponsor: { id: number; email: string },
  guest: { name: string; previousEmail: string; email: string },
  by: string,
): MailDraft {
  return draft(
    config,
    `${cause}:sponsor:${sponsor.id}`,
    sponsor.email,
    t('mail.resetSponsor.subject', { name: oneLine(guest.name) }),
    t('mail.resetSponsor.body', { by: oneLine(by), name: oneLine(guest.name), previous: guest.previousEmail, email: guest.email }),
  );
}
