// The company's look in every mail: its name, logo and colour, kept as settings rows (none: the product's own).
import type { Db, Tx } from './knex.ts';

export interface Branding {
  companyName: string;
  /** An https URL, or '' for no logo. */
  logoUrl: string;
  /** #rrggbb */
  color: string;
}

export const DEFAULT_BRANDING: Branding = { companyName: 'Passerelle', logoUrl: '', color: '#1f4e8c' };

const KEYS: Record<keyof Branding, string> = { companyName: 'branding_company_name', logoUrl: 'branding_logo_url', color: 'branding_color' };

export async function readBranding(db: Db | Tx): Promise<Branding> {
  const rows: { key: string; value: string }[] = await db('settings').whereIn('key', Object.values(KEYS)).select('key', 'value');
  const map = new Map(rows.map((r) => [r.key, r.value]));
  return {
    companyName: map.get(KEYS.companyName) || DEFAULT_BRANDING.companyName,
    logoUrl: map.get(KEYS.logoUrl) ?? DEFAULT_BRANDING.logoUrl,
    // Written into inline styles: only a colour the form would accept is used.
    color: /^#[0-9a-fA-F]{6}$/.test(map.get(KEYS.color) ?? '') ? map.get(KEYS.color)! : DEFAULT_BRANDING.color,
  };
}

export async function writeBranding(trx: Tx, b: Branding): Promise<void> {
  for (const [field, key] of Object.entries(KEYS) as [keyof Branding, string][]) {
    const n = await trx('settings').where({ key }).update({ value: b[field] });
    if (!Number(n)) await trx('settings').insert({ key, value: b[field] });
  }
}
