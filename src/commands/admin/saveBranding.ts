// The company's name, logo and colour in every mail: saved with the before and after on record.
import type { Deps } from '../../deps.ts';
import { appendAudit, type AuditContext } from '../../db/audit.ts';
import { inTransaction } from '../../db/knex.ts';
import { readBranding, writeBranding, type Branding } from '../../db/branding.ts';

export async function saveBranding(deps: Deps, ctx: AuditContext, next: Branding): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const before = await readBranding(trx);
    await writeBranding(trx, next);
    await appendAudit(trx, ctx, { action: 'settings.branding_updated', target: 'settings:branding', details: { before, after: next } });
  });
}
