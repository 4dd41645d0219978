// Dates and numbers with Intl, in the reader's language and time zone. Stored times are UTC ISO
// strings; a page names the zone it shows so nobody has to guess.
import type { Locale } from './locales.ts';

export interface Formatters {
  locale: Locale;
  timeZone: string;
  /** 4 Dec 2026 / 4 déc. 2026: the UTC calendar day. */
  date(iso: string | null | undefined): string;
  /** 4 Dec 2026, 14:05 UTC / 4 déc. 2026, 15:05 UTC+1 */
  dateTime(iso: string | null | undefined): string;
  number(n: number): string;
}

/** A zone name this runtime knows (from a cookie the browser set), else null. */
export function knownTimeZone(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(value)) return null;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const cache = new Map<string, Formatters>();

export function formatters(locale: Locale, timeZone = 'UTC'): Formatters {
  const id = `${locale}|${timeZone}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const tag = locale === 'en' ? 'en-GB' : 'fr-FR';
  const day = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: 'UTC' });
  const moment = new Intl.DateTimeFormat(tag, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' });
  const num = new Intl.NumberFormat(tag);
  const parse = (iso: string | null | undefined) => {
    if (!iso) return null;
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? null : d;
  };
  const made: Formatters = {
    locale,
    timeZone,
    // A day is a UTC calendar day everywhere: an access granted until 2 June ends at the end of 2 June
    // UTC, and reads "2 June" in Paris and in Los Angeles alike (moments, below, follow the reader's zone).
    date: (iso) => {
      const d = parse(iso);
      return d ? day.format(d) : '—';
    },
    dateTime: (iso) => {
      const d = parse(iso);
      return d ? moment.format(d) : '—';
    },
    number: (n) => num.format(n),
  };
  if (cache.size > 500) cache.clear();
  cache.set(id, made);
  return made;
}
