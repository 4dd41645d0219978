// What stands in a stored mail body where a secret goes. The secret itself (a redeem token, a sign-in
// code) is minted by workers/sendMail.ts when the message leaves, so the database never holds a usable
// one, not even in a mail body. The templates write these; the mail worker replaces them.
import { escapeHtml } from '../html.ts';

export const REDEEM_LINK_PLACEHOLDER = '{{redeem-link}}';
export const CODE_PLACEHOLDER = '{{one-time-code}}';
export const CODE_LINK_PLACEHOLDER = '{{one-time-link}}';

/** Every occurrence of each placeholder replaced by its value (split/join: no pattern characters). */
export function fillPlaceholders(body: string, values: Record<string, string>): string {
  return Object.entries(values).reduce((out, [placeholder, value]) => out.split(placeholder).join(value), body);
}

/** The same values for the HTML part: escaped, as every other text in it (a code link's & in an href). */
export function htmlValues(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([placeholder, value]) => [placeholder, escapeHtml(value)]));
}
