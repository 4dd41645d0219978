// The mails of access that ends (issue 18, points 4 and 5), as MailSpecs like those of templates.ts:
// the notice before a membership ends (to the guest, with a button to ask for an extension, and to
// the sponsor), the end itself (to both), and an extension granted. Each names its cause, so the same
// notice, end or extension never mails twice.
import type { Config } from '../config.ts';
import { t } from '../i18n/t.ts';
import type { Locale } from '../i18n/locales.ts';
import { oneLine, utcDateTime, type MailSpec, type SpecValue } from './templates.ts';

type Person = { id: number; email: string };
type Guest = Person & { name: string };
/** A membership nearing its end: `threshold` is the notice's (what makes it once), `days` what is left. */
export type ExpiryNotice = { id: number; item: string; expiresAt: string; days: number; threshold: number };

const notice = (template: MailSpec['template'], dedupeKey: string, to: string, rest: Pick<MailSpec, 'values' | 'details' | 'link' | 'recipient'>): MailSpec => ({
  template,
  dedupeKey,
  kind: 'notice',
  reference: null,
  to,
  ...rest,
});

/** Where a sponsor sees the guest: an admin on the guest's page, anyone else in their inbox (where an extension arrives). */
export const sponsorLink = (config: Config, sponsor: { role?: string | null }, guestId: number): string =>
  sponsor.role === 'admin' ? `${config.publicUrl}/admin/guests/${guestId}` : `${config.publicUrl}/inbox`;

/** When an access ends, as the reader's language writes it; an extension with no end says so. */
const endsIn = (expiresAt: string | null, lang: Locale): string => (expiresAt ? utcDateTime(expiresAt)(lang) : t('expiry.mail.noEnd', {}, lang));
const ends = (expiresAt: string | null): SpecValue => (lang: Locale) => endsIn(expiresAt, lang);

/** To the guest, some days before a membership ends: the date, and one click to ask for more time. */
export function expiryNoticeMail(config: Config, m: ExpiryNotice, guest: Person): MailSpec {
  return notice('expiry_notice', `membership:${m.id}:ends:${m.expiresAt}:notice:${m.threshold}`, guest.email, {
    values: { items: m.item, ends: ends(m.expiresAt), days: m.days },
    details: [
      { label: 'mailTemplates.detail.items', value: m.item },
      { label: 'expiry.mail.detail.ends', value: ends(m.expiresAt) },
    ],
    link: `${config.publicUrl}/access/extend/${m.id}`,
    recipient: { userId: guest.id },
  });
}

/** To a sponsor of the guest, with the same notice: they may expect an extension request. */
export function expiryNoticeSponsorMail(config: Config, m: ExpiryNotice, guest: Guest, sponsor: Person & { role?: string | null }): MailSpec {
  return notice('expiry_notice_sponsor', `membership:${m.id}:ends:${m.expiresAt}:notice:${m.threshold}:sponsor:${sponsor.id}`, sponsor.email, {
    values: { name: oneLine(guest.name), email: guest.email, items: m.item, ends: ends(m.expiresAt), days: m.days },
    details: [
      { label: 'expiry.mail.detail.guest', value: `${oneLine(guest.name)} <${guest.email}>` },
      { label: 'mailTemplates.detail.items', value: m.item },
      { label: 'expiry.mail.detail.ends', value: ends(m.expiresAt) },
    ],
    link: sponsorLink(config, sponsor, guest.id),
    recipient: { userId: sponsor.id },
  });
}

/** To the guest when memberships ended: what they no longer have, and where to ask again. */
export function accessExpiredMail(config: Config, cause: string, guest: Person, items: string[]): MailSpec {
  const list = items.join(', ');
  return notice('access_expired', `${cause}:guest`, guest.email, {
    values: { items: list },
    details: [{ label: 'mailTemplates.detail.items', value: list }],
    link: `${config.publicUrl}/requests/new`,
    recipient: { userId: guest.id },
  });
}

/** To a sponsor of the guest whose memberships ended. */
export function accessExpiredSponsorMail(config: Config, cause: string, guest: Guest, sponsor: Person & { role?: string | null }, items: string[]): MailSpec {
  const list = items.join(', ');
  return notice('access_expired_sponsor', `${cause}:sponsor:${sponsor.id}`, sponsor.email, {
    values: { name: oneLine(guest.name), email: guest.email, items: list },
    details: [
      { label: 'expiry.mail.detail.guest', value: `${oneLine(guest.name)} <${guest.email}>` },
      { label: 'mailTemplates.detail.items', value: list },
    ],
    link: sponsorLink(config, sponsor, guest.id),
    recipient: { userId: sponsor.id },
  });
}

/** To the guest whose extension was approved: the new end of each access extended. */
export function accessExtendedMail(config: Config, requestId: number, guest: Person, extended: { item: string; expiresAt: string | null }[], sponsor: SpecValue): MailSpec {
  const list = extended.map((e) => e.item).join(', ');
  const until = extended.length === 1 ? ends(extended[0]!.expiresAt) : (lang: Locale) => extended.map((e) => `${e.item}: ${endsIn(e.expiresAt, lang)}`).join('; ');
  return notice('access_extended', `request:${requestId}:extended`, guest.email, {
    values: { items: list, ends: until, sponsor: typeof sponsor === 'string' ? oneLine(sponsor) : sponsor },
    details: [
      { label: 'mailTemplates.detail.items', value: list },
      { label: 'expiry.mail.detail.ends', value: until },
    ],
    link: `${config.publicUrl}/access`,
    recipient: { userId: guest.id },
  });
}

/** To a guest turned off because all their access ended some days ago: why, and whom to ask. No button: they can no longer sign in. */
export function guestDisabledInactiveMail(_config: Config, cause: string, guest: Person, days: number): MailSpec {
  return notice('guest_disabled_inactive', `${cause}:guest`, guest.email, { values: { days }, details: [], link: null, recipient: { userId: guest.id } });
}

/** To a sponsor of that guest: an admin can enable the guest again from the guest's page. */
export function guestDisabledInactiveSponsorMail(config: Config, cause: string, guest: Guest, sponsor: Person & { role?: string | null }, days: number): MailSpec {
  return notice('guest_disabled_inactive_sponsor', `${cause}:sponsor:${sponsor.id}`, sponsor.email, {
    values: { name: oneLine(guest.name), email: guest.email, days },
    details: [{ label: 'expiry.mail.detail.guest', value: `${oneLine(guest.name)} <${guest.email}>` }],
    link: sponsor.role === 'admin' ? `${config.publicUrl}/admin/guests/${guest.id}` : null,
    recipient: { userId: sponsor.id },
  });
}
