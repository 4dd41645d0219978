// A send-mail job that used up its attempts: its message is marked failed (audited), for an admin to
// see and retry. Harmless twice: only a message still queued is marked.
import type { Deps } from '../src/deps.ts';
import type { AuditContext } from '../src/db/audit.ts';
import { markMailFailed } from '../src/commands/markMailFailed.ts';

export async function failMail(deps: Deps, ctx: AuditContext, data: { mailId: number }): Promise<void> {
  await markMailFailed(deps, ctx, data.mailId);
}
