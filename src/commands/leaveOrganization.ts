// A guest leaves the organization herself (My access → Leave): everything she holds ends at once,
// as an admin's removal of each membership would end it (apps told through the outbox, so they sign
// her out), and her sign-in is turned off so the session she is using ends too. Her sponsors hear of
// it (else whoever decided her latest request), and she gets a confirmation.
import type { Deps } from '../deps.ts';
import { appendAudit, type AuditContext } from '../db/audit.ts';
import { inTransaction } from '../db/knex.ts';
import { readBranding } from '../db/branding.ts';
import { changeGuestState, findGuest, itemsOfGuest, removeAllGuestMemberships, sponsorsOfGuest } from '../db/guests.ts';
import { revokeInvitations } from '../db/invitations.ts';
import { deciderOfLatestRequest } from '../db/leaving.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { queueSystemMail } from '../mail/send.ts';
import { guestLeftMail, guestLeftSponsorMail } from '../mail/templates.ts';
import { noteAppAccessEnded } from './appAccessEnded.ts';

export interface LeaveResult {
  organization: string;
  items: string[];
  sponsorsTold: number;
}

/** Only an active guest leaves, once: a second try (another tab, a double click) is a 409 and changes nothing. */
export async function leaveOrganization(deps: Deps, ctx: AuditContext, guestId: number): Promise<LeaveResult> {
  const guest = await findGuest(deps.db, guestId);
  if (!guest) throw notFound();
  return inTransaction(deps.db, async (trx) => {
    // The state change first and conditional: of two leaves racing, the second finds her disabled.
    if (!(await changeGuestState(trx, guestId, ['active'], 'disabled'))) throw conflict('leave.already');
    const organization = (await readBranding(trx)).companyName;
    const items = (await itemsOfGuest(trx, guestId)).map((i) => i.name).sort((a, b) => a.localeCompare(b));
    const removed = await removeAllGuestMemberships(trx, guestId);
    await revokeInvitations(trx, guestId, 'pending');
    const sponsors = await sponsorsOfGuest(trx, guestId);
    const told = sponsors.length ? sponsors : [await deciderOfLatestRequest(trx, guestId)].filter((s) => s !== undefined);
    await appendAudit(trx, ctx, {
      action: 'guest.left',
      target: `user:${guestId}`,
      details: { organization, items, membershipsRemoved: removed, sponsorsTold: told.map((s) => s.email), changes: { state: [guest.state, 'disabled'] } },
    });
    // Every app: she can no longer sign in anywhere, so each is told to end her sessions.
    await noteAppAccessEnded(trx, guestId, null);
    const cause = `guest:${guestId}:left:${Date.now()}`;
    const who = { id: guestId, name: guest.display_name, email: guest.email };
    for (const s of told) await queueSystemMail(trx, guestLeftSponsorMail(deps.config, cause, s, who, items));
    await queueSystemMail(trx, guestLeftMail(deps.config, cause, who, items));
    return { organization, items, sponsorsTold: told.length };
  });
}
